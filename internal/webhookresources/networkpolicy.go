package webhookresources

import (
	networkingv1 "k8s.io/api/networking/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	networkingv1ac "k8s.io/client-go/applyconfigurations/networking/v1"

	"github.com/kubechat/whatsapp-operator/internal/workload"
)

// networkPolicy admits traffic to the webhook pods on the public port from
// anywhere (Meta arrives through the ingress controller, wherever it runs)
// and on the metrics port only from pods of the same namespace: the
// metrics are nobody else's business. Every other port of the pods is
// closed to ingress. A Prometheus in another namespace needs a
// NetworkPolicy of the user's own admitting it to the metrics port
// (policies add up). It has effect only where the network plugin enforces
// NetworkPolicy.
func networkPolicy(t target) *networkingv1ac.NetworkPolicyApplyConfiguration {
	return networkingv1ac.NetworkPolicy(t.name, t.namespace).
		WithLabels(t.labels()).
		WithOwnerReferences(t.owner.Reference()).
		WithSpec(networkingv1ac.NetworkPolicySpec().
			WithPodSelector(workload.LabelSelector(t.selector())).
			WithPolicyTypes(networkingv1.PolicyTypeIngress).
			WithIngress(
				networkingv1ac.NetworkPolicyIngressRule().
					WithPorts(workload.TCPPort(webhookPort)),
				networkingv1ac.NetworkPolicyIngressRule().
					WithFrom(networkingv1ac.NetworkPolicyPeer().
						// An empty pod selector without a namespace
						// selector: every pod of this namespace.
						WithPodSelector(metav1ac.LabelSelector())).
					WithPorts(workload.TCPPort(metricsPort))))
}
