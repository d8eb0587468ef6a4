package controllers_test

import (
	"context"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/relayresources"
	"github.com/kubechat/whatsapp-operator/internal/webhookresources"
)

// TestPodSettingsReachTheWebhookAndRelayPods: the operator-wide defaults
// and a provider's spec.webhook.pod / spec.relay.pod reach the pods of the
// two Deployments, merged (the provider's win; maps key by key), while the
// operator's labels still select the pods for the Deployment, the Service
// and the NetworkPolicy; a change of the settings rolls the pods.
func TestPodSettingsReachTheWebhookAndRelayPods(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{
		webhookPodDefaults: &whatsappv1alpha1.PodSettings{
			NodeSelector:      map[string]whatsappv1alpha1.LabelValue{"kubernetes.io/os": "linux", "node.example.com/pool": "general"},
			PriorityClassName: "platform-default",
			Labels:            map[string]whatsappv1alpha1.LabelValue{"example.com/owner": "platform"},
		},
		relayPodDefaults: &whatsappv1alpha1.PodSettings{
			Resources: &whatsappv1alpha1.PodResources{Limits: &whatsappv1alpha1.ResourceAmounts{Memory: "512Mi"}},
		},
	})
	two := int32(2)
	p := f.readyProvider("acme", func(p *whatsappv1alpha1.MetaProvider) {
		p.Spec.Webhook = &whatsappv1alpha1.ProviderWebhook{Replicas: &two, Pod: &whatsappv1alpha1.PodSettings{
			NodeSelector: map[string]whatsappv1alpha1.LabelValue{"node.example.com/pool": "edge"},
			Tolerations:  []corev1.Toleration{{Key: "edge", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}},
			Labels:       map[string]whatsappv1alpha1.LabelValue{"example.com/cost-center": "42"},
			Annotations:  map[string]whatsappv1alpha1.AnnotationValue{"example.com/team": "support"},
			Resources:    &whatsappv1alpha1.PodResources{Limits: &whatsappv1alpha1.ResourceAmounts{Memory: "1Gi"}, Requests: &whatsappv1alpha1.ResourceAmounts{CPU: "200m"}},
		}}
		p.Spec.Relay = &whatsappv1alpha1.ProviderRelay{Pod: &whatsappv1alpha1.PodSettings{
			PriorityClassName: "relay-critical",
			Affinity: &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
				NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "topology.kubernetes.io/zone", Operator: corev1.NodeSelectorOpIn, Values: []string{"eu-west-1a"}}}}},
			}}},
		}}
	})

	webhook := f.deployment(webhookresources.Name("acme"))
	pod := webhook.Spec.Template
	for k, want := range map[string]string{"kubernetes.io/os": "linux", "node.example.com/pool": "edge"} {
		if pod.Spec.NodeSelector[k] != want {
			t.Errorf("webhook nodeSelector %v: %s=%s wanted (defaults merged under the provider's)", pod.Spec.NodeSelector, k, want)
		}
	}
	if pod.Spec.PriorityClassName != "platform-default" || len(pod.Spec.Tolerations) != 1 || pod.Spec.Tolerations[0].Key != "edge" {
		t.Errorf("webhook priorityClassName %q, tolerations %+v", pod.Spec.PriorityClassName, pod.Spec.Tolerations)
	}
	if pod.Labels["example.com/cost-center"] != "42" || pod.Labels["example.com/owner"] != "platform" || pod.Annotations["example.com/team"] != "support" {
		t.Errorf("webhook pod labels %v, annotations %v", pod.Labels, pod.Annotations)
	}
	c := pod.Spec.Containers[0]
	if lim := c.Resources.Limits[corev1.ResourceMemory]; lim.Cmp(resource.MustParse("1Gi")) != 0 {
		t.Errorf("webhook memory limit %s, want 1Gi", lim.String())
	}
	if req := c.Resources.Requests[corev1.ResourceCPU]; req.Cmp(resource.MustParse("200m")) != 0 {
		t.Errorf("webhook cpu request %s, want 200m", req.String())
	}
	if env := envValue(c, "GOMEMLIMIT"); env != "921MiB" {
		t.Errorf("webhook GOMEMLIMIT %q, want 90%% of 1Gi (921MiB)", env)
	}
	// Hardening is not a setting: it is still there.
	if sc := c.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Errorf("webhook container hardening lost: %+v", sc)
	}

	relay := f.deployment(relayresources.Name("acme"))
	rpod := relay.Spec.Template
	if rpod.Spec.PriorityClassName != "relay-critical" || rpod.Spec.Affinity == nil || rpod.Spec.Affinity.NodeAffinity == nil {
		t.Errorf("relay priorityClassName %q, affinity %+v", rpod.Spec.PriorityClassName, rpod.Spec.Affinity)
	}
	if lim := rpod.Spec.Containers[0].Resources.Limits[corev1.ResourceMemory]; lim.Cmp(resource.MustParse("512Mi")) != 0 {
		t.Errorf("relay memory limit %s, want the operator's default 512Mi", lim.String())
	}
	if len(rpod.Spec.NodeSelector) != 0 {
		t.Errorf("the webhook's settings leaked into the relay: nodeSelector %v", rpod.Spec.NodeSelector)
	}

	// The operator's selectors still select the pods.
	for _, d := range []*appsv1.Deployment{webhook, relay} {
		sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
		if err != nil || !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
			t.Errorf("Deployment %s no longer selects its pods: %v / %v", d.Name, d.Spec.Selector, d.Spec.Template.Labels)
		}
		np := &networkingv1.NetworkPolicy{}
		if err := f.c.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: d.Name}, np); err != nil {
			t.Fatal(err)
		}
		npSel, _ := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
		if !npSel.Matches(labels.Set(d.Spec.Template.Labels)) {
			t.Errorf("NetworkPolicy %s no longer selects the pods of %s", np.Name, d.Name)
		}
		svc := &corev1.Service{}
		if err := f.c.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: d.Name}, svc); err != nil {
			t.Fatal(err)
		}
		if !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) {
			t.Errorf("Service %s no longer selects the pods of %s", svc.Name, d.Name)
		}
	}

	// A change of the provider's settings reaches the pods.
	patch := client.MergeFrom(p.DeepCopy())
	p.Spec.Webhook.Pod.NodeSelector = map[string]whatsappv1alpha1.LabelValue{"node.example.com/pool": "edge-2"}
	if err := f.c.Patch(context.Background(), p, patch); err != nil {
		t.Fatal(err)
	}
	f.eventually("the new nodeSelector in the webhook pods", func() bool {
		return f.deployment(webhookresources.Name("acme")).Spec.Template.Spec.NodeSelector["node.example.com/pool"] == "edge-2"
	})
}

func (f *fixture) deployment(name string) *appsv1.Deployment {
	f.t.Helper()
	d := &appsv1.Deployment{}
	if err := f.c.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: name}, d); err != nil {
		f.t.Fatalf("Deployment %s: %v", name, err)
	}
	return d
}

func envValue(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}
