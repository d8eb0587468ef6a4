package webhookresources

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/workload"
)

// desiredOf returns the object of type T among Desired(p, opts).
func desiredOf[T client.Object](t *testing.T, p *v1alpha1.MetaProvider, opts Options) T {
	t.Helper()
	for _, o := range Desired(p, opts) {
		if typed, ok := o.(T); ok {
			return typed
		}
	}
	var zero T
	t.Fatalf("Desired has no %T", zero)
	return zero
}

func kindsOf(objs []client.Object) []string {
	var kinds []string
	for _, o := range objs {
		kinds = append(kinds, o.GetObjectKind().GroupVersionKind().Kind)
	}
	return kinds
}

func TestDesiredObjects(t *testing.T) {
	base := []string{"ServiceAccount", "Role", "RoleBinding", "Service", "NetworkPolicy", "Deployment"}
	cases := map[string]struct {
		reason string
		mutate func(*v1alpha1.MetaProvider)
		want   []string
	}{
		"NoWebhookSection": {
			reason: "without spec.webhook the provider runs one replica, so no PodDisruptionBudget",
			mutate: func(*v1alpha1.MetaProvider) {},
			want:   base,
		},
		"OneReplica": {
			reason: "minAvailable 1 of 1 would block every drain: no PodDisruptionBudget",
			mutate: withReplicas(1),
			want:   base,
		},
		"TwoReplicas": {
			reason: "more than one replica gets a PodDisruptionBudget, applied last",
			mutate: withReplicas(2),
			want:   append(append([]string{}, base...), "PodDisruptionBudget"),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			objs := Desired(newProvider("support", tc.mutate), testOptions)
			if diff := cmp.Diff(tc.want, kindsOf(objs)); diff != "" {
				t.Errorf("%s\nkinds (-want +got):\n%s", tc.reason, diff)
			}
			for _, o := range objs {
				if o.GetName() != "acme-webhook" || o.GetNamespace() != "support" {
					t.Errorf("%s\n%T named %s/%s, want support/acme-webhook", tc.reason, o, o.GetNamespace(), o.GetName())
				}
				wantLabels := map[string]string{
					workload.NameLabel: string(workload.ComponentWebhook), workload.InstanceLabel: "acme",
					workload.ManagedByLabel: workload.ManagedByValue, workload.ProviderLabel: "acme",
				}
				if diff := cmp.Diff(wantLabels, o.GetLabels()); diff != "" {
					t.Errorf("%s\n%T labels (-want +got):\n%s", tc.reason, o, diff)
				}
			}
		})
	}
}

func TestDesiredArgs(t *testing.T) {
	cases := map[string]struct {
		reason string
		spec   string
		opts   Options
		want   []string
	}{
		"OperatorDefaults": {
			reason: "the operator's Graph API URL and version reach the server",
			opts:   testOptions,
			want: []string{"webhook-server", "--provider-namespace", "support", "--provider-name", "acme",
				"--bind-address", ":8080", "--metrics-bind-address", ":9090",
				"--graph-api-url", "http://graphsim.test:8080", "--graph-api-version", "v25.0"},
		},
		"ProviderPinsVersion": {
			reason: "spec.graphAPIVersion wins over the operator's default",
			spec:   "v26.0",
			opts:   testOptions,
			want: []string{"webhook-server", "--provider-namespace", "support", "--provider-name", "acme",
				"--bind-address", ":8080", "--metrics-bind-address", ":9090",
				"--graph-api-url", "http://graphsim.test:8080", "--graph-api-version", "v26.0"},
		},
		"NoGraphSettings": {
			reason: "empty Graph API settings are left out so the server's own defaults apply",
			opts:   Options{Image: testOptions.Image},
			want: []string{"webhook-server", "--provider-namespace", "support", "--provider-name", "acme",
				"--bind-address", ":8080", "--metrics-bind-address", ":9090"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := newProvider("support", func(p *v1alpha1.MetaProvider) { p.Spec.GraphAPIVersion = tc.spec })
			d := desiredOf[*appsv1.Deployment](t, p, tc.opts)
			c := d.Spec.Template.Spec.Containers[0]
			if diff := cmp.Diff(tc.want, c.Args); diff != "" {
				t.Errorf("%s\nargs (-want +got):\n%s", tc.reason, diff)
			}
			if c.Image != tc.opts.Image {
				t.Errorf("%s\nimage %q, want %q", tc.reason, c.Image, tc.opts.Image)
			}
		})
	}
}

func TestDesiredPodHardening(t *testing.T) {
	d := desiredOf[*appsv1.Deployment](t, newProvider("support"), testOptions)
	pod := d.Spec.Template.Spec
	cases := map[string]struct {
		reason string
		want   any
		got    any
	}{
		"PodSecurityContext": {
			reason: "pods run as non-root with the runtime's default seccomp profile",
			want: &corev1.PodSecurityContext{
				RunAsNonRoot:   ptr.To(true),
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			},
			got: pod.SecurityContext,
		},
		"ContainerSecurityContext": {
			reason: "the container cannot write its root file system, gain privileges or use any capability",
			want: &corev1.SecurityContext{
				RunAsNonRoot:             ptr.To(true),
				ReadOnlyRootFilesystem:   ptr.To(true),
				AllowPrivilegeEscalation: ptr.To(false),
				Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			},
			got: pod.Containers[0].SecurityContext,
		},
		"ServiceAccount": {
			reason: "the server talks to the API server as its own ServiceAccount",
			want:   []any{"acme-webhook", ptr.To(true)},
			got:    []any{pod.ServiceAccountName, pod.AutomountServiceAccountToken},
		},
		"GracePeriod": {
			reason: "in-flight deliveries get 30 s to finish",
			want:   ptr.To[int64](30),
			got:    pod.TerminationGracePeriodSeconds,
		},
		"Probes": {
			reason: "readiness on /readyz and liveness on /healthz, both on the webhook port",
			want:   []string{"/readyz", "webhook", "/healthz", "webhook"},
			got: []string{
				pod.Containers[0].ReadinessProbe.HTTPGet.Path, pod.Containers[0].ReadinessProbe.HTTPGet.Port.String(),
				pod.Containers[0].LivenessProbe.HTTPGet.Path, pod.Containers[0].LivenessProbe.HTTPGet.Port.String(),
			},
		},
		"MemoryLimit": {
			reason: "requests for scheduling and a memory limit",
			want:   []string{"50m", "64Mi", "256Mi"},
			got: []string{
				pod.Containers[0].Resources.Requests.Cpu().String(),
				pod.Containers[0].Resources.Requests.Memory().String(),
				pod.Containers[0].Resources.Limits.Memory().String(),
			},
		},
		"GoMemLimit": {
			reason: "the Go runtime's soft limit is a literal 90% of the memory limit (a resourceFieldRef could only copy 100%)",
			want:   []corev1.EnvVar{{Name: "GOMEMLIMIT", Value: "230MiB"}},
			got:    pod.Containers[0].Env,
		},
		"SoftSpread": {
			reason: "replicas prefer different nodes and zones but are never left pending for it",
			want:   []corev1.UnsatisfiableConstraintAction{corev1.ScheduleAnyway, corev1.ScheduleAnyway},
			got: []corev1.UnsatisfiableConstraintAction{
				pod.TopologySpreadConstraints[0].WhenUnsatisfiable, pod.TopologySpreadConstraints[1].WhenUnsatisfiable,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("%s\n(-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDesiredRoleIsLeastPrivilege(t *testing.T) {
	r := desiredOf[*rbacv1.Role](t, newProvider("support"), testOptions)
	read := []string{"get", "list", "watch"}
	want := []rbacv1.PolicyRule{
		{APIGroups: []string{"whatsapp.kubechat.io"}, Resources: []string{"metaproviders"}, ResourceNames: []string{"acme"}, Verbs: read},
		{APIGroups: []string{"whatsapp.kubechat.io"}, Resources: []string{"whatsappchannels", "messagetemplates"}, Verbs: read},
		{APIGroups: []string{"whatsapp.kubechat.io"}, Resources: []string{"whatsappchannels", "messagetemplates"}, Verbs: []string{"patch"}},
		{APIGroups: []string{"discovery.k8s.io"}, Resources: []string{"endpointslices"}, Verbs: read},
		{APIGroups: []string{""}, Resources: []string{"services"}, Verbs: read},
		{APIGroups: []string{""}, Resources: []string{"secrets"}, ResourceNames: []string{"acme-webhook"}, Verbs: read},
	}
	if diff := cmp.Diff(want, r.Rules); diff != "" {
		t.Errorf("the Role must grant exactly what the server uses (no Events: it records none), its provider and its derived Secret only by name (never the credentials Secret acme-meta)\n(-want +got):\n%s", diff)
	}
}

func TestDesiredNetworkPolicy(t *testing.T) {
	np := desiredOf[*networkingv1.NetworkPolicy](t, newProvider("support"), testOptions)
	cases := map[string]struct {
		reason string
		rule   networkingv1.NetworkPolicyIngressRule
		ports  []int32
		from   int // number of peers; 0 means anywhere
	}{
		"WebhookFromAnywhere": {reason: "Meta arrives through an ingress controller in any namespace", rule: np.Spec.Ingress[0], ports: []int32{8080}, from: 0},
		"MetricsFromNamespace": {
			reason: "only pods of the provider's namespace may read the metrics",
			rule:   np.Spec.Ingress[1], ports: []int32{9090}, from: 1,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var got []int32
			for _, p := range tc.rule.Ports {
				got = append(got, p.Port.IntVal)
			}
			if diff := cmp.Diff(tc.ports, got); diff != "" {
				t.Errorf("%s\nports (-want +got):\n%s", tc.reason, diff)
			}
			if len(tc.rule.From) != tc.from {
				t.Fatalf("%s\n%d peers, want %d", tc.reason, len(tc.rule.From), tc.from)
			}
			if tc.from == 1 && (tc.rule.From[0].NamespaceSelector != nil || tc.rule.From[0].PodSelector == nil) {
				t.Errorf("%s\npeer %+v, want an empty pod selector and no namespace selector", tc.reason, tc.rule.From[0])
			}
		})
	}
	if len(np.Spec.Ingress) != 2 {
		t.Errorf("want exactly two ingress rules (webhook; metrics), got %d: no relay port any more", len(np.Spec.Ingress))
	}
}

func TestDesiredPorts(t *testing.T) {
	p := newProvider("support")
	c := desiredOf[*appsv1.Deployment](t, p, testOptions).Spec.Template.Spec.Containers[0]
	var container []string
	for _, port := range c.Ports {
		container = append(container, fmt.Sprintf("%s:%d", port.Name, port.ContainerPort))
	}
	if diff := cmp.Diff([]string{"webhook:8080", "metrics:9090"}, container); diff != "" {
		t.Errorf("the container names the port it serves /metrics on (--metrics-bind-address), for a PodMonitor\n(-want +got):\n%s", diff)
	}
	var service []string
	for _, port := range desiredOf[*corev1.Service](t, p, testOptions).Spec.Ports {
		service = append(service, fmt.Sprintf("%s:%d", port.Name, port.Port))
	}
	if diff := cmp.Diff([]string{"webhook:80"}, service); diff != "" {
		t.Errorf("metrics are scraped per pod and stay off the Service an Ingress exposes\n(-want +got):\n%s", diff)
	}
}

func TestValidateProviderName(t *testing.T) {
	cases := map[string]struct {
		reason string
		name   string
		want   error
	}{
		"Short":           {reason: "an ordinary name is fine", name: "acme"},
		"Longest":         {reason: "55 characters + -webhook is 63, a Service name's limit", name: strings.Repeat("a", 55)},
		"TooLong":         {reason: "56 characters make a 64-character Service name", name: strings.Repeat("a", 56), want: ErrInvalidProviderName},
		"LeadingDigit":    {reason: "a Service name must start with a letter", name: "1acme", want: ErrInvalidProviderName},
		"DottedSubdomain": {reason: "a MetaProvider name may contain dots, a Service name may not", name: "acme.support", want: ErrInvalidProviderName},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if err := workload.ValidateProviderName(tc.name, nameSuffix); !errors.Is(err, tc.want) {
				t.Errorf("%s\nValidateProviderName(%q) = %v, want %v", tc.reason, tc.name, err, tc.want)
			}
		})
	}
}
