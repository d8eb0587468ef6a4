package webhookresources

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	networkingv1ac "k8s.io/client-go/applyconfigurations/networking/v1"

	"github.com/kubechat/whatsapp-operator/internal/workload"
)

// dnsPort is where pods resolve names (cluster DNS, node-local caches).
const dnsPort = 53

// metadataCIDRs are the cloud metadata services, cut out of any allowed
// egress range that contains them (the webhook server's dialer refuses them
// too: this is the second lock).
var metadataCIDRs = []netip.Prefix{
	netip.MustParsePrefix("169.254.169.254/32"),
	netip.MustParsePrefix("100.100.100.200/32"),
	netip.MustParsePrefix("fd00:ec2::254/128"),
}

// networkPolicy admits traffic to the webhook pods on the public port from
// anywhere (Meta arrives through the ingress controller, wherever it runs)
// and on the metrics port only from pods of the same namespace: the
// metrics are nobody else's business. The outbound relay is its own
// workload (internal/relayresources) with its own policy. Every other port
// of the pods is closed to ingress. A Prometheus in another
// namespace needs a NetworkPolicy of the user's own admitting it to the
// metrics port (policies add up).
//
// When the operator knows the API server's addresses, egress is limited
// too: DNS, the API server, the pods of the namespace (chatbot Services)
// and the provider's spec.webhook.allowedEgressCIDRs, less the cloud
// metadata addresses. It has effect only where the network plugin enforces
// NetworkPolicy.
func networkPolicy(t target) *networkingv1ac.NetworkPolicyApplyConfiguration {
	spec := networkingv1ac.NetworkPolicySpec().
		WithPodSelector(workload.LabelSelector(t.selector())).
		WithPolicyTypes(networkingv1.PolicyTypeIngress).
		WithIngress(
			networkingv1ac.NetworkPolicyIngressRule().
				WithPorts(tcpPort(webhookPort)),
			networkingv1ac.NetworkPolicyIngressRule().
				WithFrom(sameNamespace()).
				WithPorts(tcpPort(metricsPort)))
	if len(t.apiServerCIDRs) > 0 {
		spec.WithPolicyTypes(networkingv1.PolicyTypeEgress).WithEgress(egressRules(t)...)
	}
	return networkingv1ac.NetworkPolicy(t.name, t.namespace).
		WithLabels(t.labels()).
		WithOwnerReferences(t.owner.Reference()).
		WithSpec(spec)
}

// egressRules: DNS anywhere, the API server, the namespace's pods, and the
// provider's ranges.
func egressRules(t target) []*networkingv1ac.NetworkPolicyEgressRuleApplyConfiguration {
	apiServer := networkingv1ac.NetworkPolicyEgressRule()
	for _, c := range t.apiServerCIDRs {
		apiServer.WithTo(networkingv1ac.NetworkPolicyPeer().WithIPBlock(networkingv1ac.IPBlock().WithCIDR(c)))
	}
	rules := []*networkingv1ac.NetworkPolicyEgressRuleApplyConfiguration{
		networkingv1ac.NetworkPolicyEgressRule().
			WithPorts(portOf(corev1.ProtocolUDP, dnsPort), portOf(corev1.ProtocolTCP, dnsPort)),
		apiServer,
		networkingv1ac.NetworkPolicyEgressRule().WithTo(sameNamespace()),
	}
	if len(t.egressCIDRs) > 0 {
		allowed := networkingv1ac.NetworkPolicyEgressRule()
		for _, c := range t.egressCIDRs {
			allowed.WithTo(networkingv1ac.NetworkPolicyPeer().WithIPBlock(ipBlockWithoutMetadata(c)))
		}
		rules = append(rules, allowed)
	}
	return rules
}

// ipBlockWithoutMetadata is cidr less the metadata addresses strictly
// inside it (a range that is exactly one is left as the user wrote it; the
// dialer refuses it anyway).
func ipBlockWithoutMetadata(cidr string) *networkingv1ac.IPBlockApplyConfiguration {
	b := networkingv1ac.IPBlock().WithCIDR(cidr)
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return b
	}
	p = p.Masked()
	for _, m := range metadataCIDRs {
		if m.Addr().Is4() == p.Addr().Is4() && p.Bits() < m.Bits() && p.Contains(m.Addr()) {
			b.WithExcept(m.String())
		}
	}
	return b
}

// sameNamespace is every pod of the policy's namespace: an empty pod
// selector without a namespace selector.
func sameNamespace() *networkingv1ac.NetworkPolicyPeerApplyConfiguration {
	return networkingv1ac.NetworkPolicyPeer().WithPodSelector(metav1ac.LabelSelector())
}

func tcpPort(port int32) *networkingv1ac.NetworkPolicyPortApplyConfiguration {
	return portOf(corev1.ProtocolTCP, port)
}

func portOf(proto corev1.Protocol, port int32) *networkingv1ac.NetworkPolicyPortApplyConfiguration {
	return networkingv1ac.NetworkPolicyPort().
		WithProtocol(proto).
		WithPort(intstr.FromInt32(port))
}
