package webhookresources

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	networkingv1ac "k8s.io/client-go/applyconfigurations/networking/v1"
)

// networkPolicy admits traffic to the webhook pods on the public port from
// anywhere (Meta arrives through the ingress controller, wherever it runs)
// and on the relay and metrics ports only from pods of the same namespace:
// the relay sends with the provider's token, so it must not be reachable
// from other tenants, and the metrics are nobody else's business. Every
// other port of the pods is closed to ingress. A Prometheus in another
// namespace needs a NetworkPolicy of the user's own admitting it to the
// metrics port (policies add up). It has effect only where the network
// plugin enforces NetworkPolicy.
func networkPolicy(t target) *networkingv1ac.NetworkPolicyApplyConfiguration {
	return networkingv1ac.NetworkPolicy(t.name, t.namespace).
		WithLabels(t.labels()).
		WithOwnerReferences(t.ownerReference()).
		WithSpec(networkingv1ac.NetworkPolicySpec().
			WithPodSelector(t.labelSelector()).
			WithPolicyTypes(networkingv1.PolicyTypeIngress).
			WithIngress(
				networkingv1ac.NetworkPolicyIngressRule().
					WithPorts(tcpPort(webhookPort)),
				networkingv1ac.NetworkPolicyIngressRule().
					WithFrom(networkingv1ac.NetworkPolicyPeer().
						// An empty pod selector without a namespace
						// selector: every pod of this namespace.
						WithPodSelector(metav1ac.LabelSelector())).
					WithPorts(tcpPort(relayPort), tcpPort(metricsPort))))
}

func tcpPort(port int32) *networkingv1ac.NetworkPolicyPortApplyConfiguration {
	return networkingv1ac.NetworkPolicyPort().
		WithProtocol(corev1.ProtocolTCP).
		WithPort(intstr.FromInt32(port))
}
