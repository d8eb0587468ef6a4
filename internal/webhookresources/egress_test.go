package webhookresources

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// TestEgressNetworkPolicy (issue 9 item 2): with the API server's addresses
// known, the webhook pods may reach DNS, the API server, the pods of their
// namespace and the provider's allowed ranges, less the cloud metadata
// addresses; the ranges reach the server's dialer as a flag. Checked as the
// API server stored it.
func TestEgressNetworkPolicy(t *testing.T) {
	p := createProvider(t, func(p *v1alpha1.MetaProvider) {
		p.Spec.Webhook = &v1alpha1.ProviderWebhook{AllowedEgressCIDRs: []v1alpha1.CIDR{"0.0.0.0/0", "169.254.20.10/32", "2001:db8::/32"}}
	})
	opts := testOptions
	opts.APIServerCIDRs = []string{"10.96.0.1/32", "172.18.0.2/32"}
	if _, err := Apply(context.Background(), clients, env.Scheme, p, opts); err != nil {
		t.Fatal(err)
	}
	np := mustGet(t, p, &networkingv1.NetworkPolicy{})
	if !slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress) || !slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeIngress) {
		t.Fatalf("egress and ingress are both restricted: %v", np.Spec.PolicyTypes)
	}
	udp, tcp := corev1.ProtocolUDP, corev1.ProtocolTCP
	dns := intstr.FromInt32(53)
	block := func(cidr string, except ...string) networkingv1.NetworkPolicyPeer {
		return networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: cidr, Except: except}}
	}
	want := []networkingv1.NetworkPolicyEgressRule{
		{Ports: []networkingv1.NetworkPolicyPort{{Protocol: &udp, Port: &dns}, {Protocol: &tcp, Port: &dns}}},
		{To: []networkingv1.NetworkPolicyPeer{block("10.96.0.1/32"), block("172.18.0.2/32")}},
		{To: []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}}},
		{To: []networkingv1.NetworkPolicyPeer{
			block("0.0.0.0/0", "169.254.169.254/32", "100.100.100.200/32"),
			block("169.254.20.10/32"),
			block("2001:db8::/32"),
		}},
	}
	if diff := cmp.Diff(want, np.Spec.Egress); diff != "" {
		t.Errorf("egress: DNS, the API server, the namespace's pods, the provider's ranges less metadata (-want +got):\n%s", diff)
	}
	dep := mustGet(t, p, &appsv1.Deployment{})
	if args := strings.Join(dep.Spec.Template.Spec.Containers[0].Args, " "); !strings.Contains(args, "--chatbot-allow-cidrs 0.0.0.0/0,169.254.20.10/32,2001:db8::/32") {
		t.Errorf("the server's dialer gets the provider's ranges: %s", args)
	}
}

// TestEgressOpenWithoutAPIServerAddresses: without the API server's
// addresses a policy would cut the pods off from it, so egress stays open.
func TestEgressOpenWithoutAPIServerAddresses(t *testing.T) {
	p := createProvider(t)
	mustApply(t, p)
	np := mustGet(t, p, &networkingv1.NetworkPolicy{})
	if slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress) || len(np.Spec.Egress) != 0 {
		t.Errorf("egress must stay open: %v %v", np.Spec.PolicyTypes, np.Spec.Egress)
	}
}

// TestAllowedEgressCIDRsAdmission: a range that is not a CIDR is refused
// at admission with a message naming the rule.
func TestAllowedEgressCIDRsAdmission(t *testing.T) {
	p := newProvider(newNamespace(t), func(p *v1alpha1.MetaProvider) {
		p.Spec.Webhook = &v1alpha1.ProviderWebhook{AllowedEgressCIDRs: []v1alpha1.CIDR{"bot.example.com"}}
	})
	err := env.Client.Create(context.Background(), p)
	if err == nil || !strings.Contains(err.Error(), "spec.webhook.allowedEgressCIDRs[0]") || !strings.Contains(err.Error(), "must be a CIDR range") {
		t.Errorf("want a refusal naming spec.webhook.allowedEgressCIDRs[0], got %v", err)
	}
}
