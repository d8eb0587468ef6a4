package relayresources

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/utils/ptr"

	"github.com/kubechat/whatsapp-operator/internal/workload"
	"github.com/kubechat/whatsapp-operator/relay"
)

func TestDesiredObjects(t *testing.T) {
	base := []string{"ServiceAccount", "Role", "RoleBinding", "Service", "NetworkPolicy", "Deployment"}
	cases := map[string]struct {
		reason string
		p      func() []string
		want   []string
	}{
		"Default": {reason: "without spec.relay one replica runs: no PodDisruptionBudget", want: base},
		"TwoReplicas": {
			reason: "more than one replica gets a PodDisruptionBudget, applied last",
			want:   append(append([]string{}, base...), "PodDisruptionBudget"),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := newProvider("support")
			if name == "TwoReplicas" {
				withRelay(2)(p)
			}
			var kinds []string
			for _, o := range Desired(p, testOptions) {
				kinds = append(kinds, o.GetObjectKind().GroupVersionKind().Kind)
				if o.GetName() != "acme-relay" || o.GetNamespace() != "support" {
					t.Errorf("%T named %s/%s, want support/acme-relay", o, o.GetNamespace(), o.GetName())
				}
				want := map[string]string{
					workload.NameLabel: "whatsapp-relay", workload.InstanceLabel: "acme",
					workload.ManagedByLabel: workload.ManagedByValue, workload.ProviderLabel: "acme",
				}
				if diff := cmp.Diff(want, o.GetLabels()); diff != "" {
					t.Errorf("%T labels: the relay's own name label, so its pods are never selected by the webhook Service (-want +got):\n%s", o, diff)
				}
			}
			if diff := cmp.Diff(tc.want, kinds); diff != "" {
				t.Errorf("%s\nkinds (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDesiredDeployment(t *testing.T) {
	p := newProvider("support", withRelay(1))
	p.Spec.GraphAPIVersion = "v26.0"
	pod := desiredOf[*appsv1.Deployment](t, p).Spec.Template.Spec
	c := pod.Containers[0]
	var ports []string
	for _, port := range c.Ports {
		ports = append(ports, fmt.Sprintf("%s:%d", port.Name, port.ContainerPort))
	}
	cases := map[string]struct {
		reason    string
		want, got any
	}{
		"Args": {
			reason: "the same binary in relay mode, for this provider, with the operator's Graph API URL and the provider's pinned version",
			want: []string{"relay", "--provider-namespace", "support", "--provider-name", "acme", "--bind-address", ":8081",
				"--metrics-bind-address", ":9090", "--graph-api-url", "http://graphsim.test:8080", "--graph-api-version", "v26.0"},
			got: c.Args,
		},
		"Image":  {reason: "the operator's own image", want: testOptions.Image, got: c.Image},
		"Ports":  {reason: "the send API on relay 8081, metrics on their own port", want: []string{"relay:8081", "metrics:9090"}, got: ports},
		"Probes": {reason: "readiness and liveness on the relay port", want: []string{"/readyz", "relay", "/healthz", "relay"}, got: []string{c.ReadinessProbe.HTTPGet.Path, c.ReadinessProbe.HTTPGet.Port.String(), c.LivenessProbe.HTTPGet.Path, c.LivenessProbe.HTTPGet.Port.String()}},
		"Hardened": {
			reason: "hardened as the webhook pod: non-root, read-only root, no escalation, no capabilities",
			want: &corev1.SecurityContext{RunAsNonRoot: ptr.To(true), ReadOnlyRootFilesystem: ptr.To(true),
				AllowPrivilegeEscalation: ptr.To(false), Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
			got: c.SecurityContext,
		},
		"Seccomp": {reason: "RuntimeDefault seccomp", want: corev1.SeccompProfileTypeRuntimeDefault, got: pod.SecurityContext.SeccompProfile.Type},
		"Memory": {
			reason: "room for the bodies the relay buffers, and GOMEMLIMIT at 90% of it",
			want:   []string{"384Mi", "GOMEMLIMIT=345MiB"},
			got:    []string{c.Resources.Limits.Memory().String(), c.Env[0].Name + "=" + c.Env[0].Value},
		},
		"ServiceAccount": {reason: "its own identity, not the webhook server's", want: "acme-relay", got: pod.ServiceAccountName},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("%s\n(-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDesiredServiceAndRole(t *testing.T) {
	p := newProvider("support")
	svc := desiredOf[*corev1.Service](t, p)
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 80 || svc.Spec.Ports[0].TargetPort.String() != "relay" || svc.Spec.Type != corev1.ServiceTypeClusterIP {
		t.Errorf("a ClusterIP Service, port 80 to the container port relay: %+v", svc.Spec)
	}
	if diff := cmp.Diff(map[string]string{workload.NameLabel: "whatsapp-relay", workload.InstanceLabel: "acme"}, svc.Spec.Selector); diff != "" {
		t.Errorf("the Service selects the relay pods only (-want +got):\n%s", diff)
	}
	r := desiredOf[*rbacv1.Role](t, p)
	if diff := cmp.Diff(relay.Rules(p), r.Rules); diff != "" {
		t.Errorf("the Role is exactly what the relay documents and is tested with (-want +got):\n%s", diff)
	}
	for _, rule := range r.Rules {
		for _, res := range rule.Resources {
			if res == "secrets" && !cmp.Equal(rule.ResourceNames, []string{"acme-meta"}) {
				t.Errorf("the relay may read the credentials Secret alone: %+v", rule)
			}
		}
	}
}

func TestDesiredNetworkPolicy(t *testing.T) {
	cases := map[string]struct {
		reason  string
		allowed []string
		peers   int
	}{
		"OwnNamespaceOnly": {reason: "by default only pods of the provider's namespace may send", peers: 1},
		"AllowedNamespaces": {
			reason:  "spec.relay.allowedNamespaces adds those namespaces, by their immutable name label",
			allowed: []string{"bots", "support-eu"},
			peers:   2,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			np := desiredOf[*networkingv1.NetworkPolicy](t, newProvider("support", withRelay(1, tc.allowed...)))
			if len(np.Spec.Ingress) != 2 {
				t.Fatalf("want two ingress rules (relay; metrics), got %d", len(np.Spec.Ingress))
			}
			send, metrics := np.Spec.Ingress[0], np.Spec.Ingress[1]
			if len(send.Ports) != 1 || send.Ports[0].Port.IntVal != 8081 || len(send.From) != tc.peers {
				t.Fatalf("%s\nrelay rule %+v", tc.reason, send)
			}
			if own := send.From[0]; own.NamespaceSelector != nil || own.PodSelector == nil || len(own.PodSelector.MatchLabels) != 0 {
				t.Errorf("%s\nfirst peer %+v, want every pod of the namespace", tc.reason, own)
			}
			if tc.peers == 2 {
				sel := send.From[1].NamespaceSelector
				if sel == nil || send.From[1].PodSelector != nil || len(sel.MatchExpressions) != 1 ||
					sel.MatchExpressions[0].Key != corev1.LabelMetadataName || !cmp.Equal(sel.MatchExpressions[0].Values, tc.allowed) {
					t.Errorf("%s\nsecond peer %+v", tc.reason, send.From[1])
				}
			}
			if len(metrics.From) != 1 || metrics.From[0].NamespaceSelector != nil || len(metrics.Ports) != 1 || metrics.Ports[0].Port.IntVal != 9090 {
				t.Errorf("metrics only from the provider's namespace, allowed namespaces or not: %+v", metrics)
			}
		})
	}
}
