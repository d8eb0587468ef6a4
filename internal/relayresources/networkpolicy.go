package relayresources

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	networkingv1ac "k8s.io/client-go/applyconfigurations/networking/v1"

	"github.com/kubechat/whatsapp-operator/internal/workload"
)

// networkPolicy admits traffic to the relay pods on the relay port only
// from pods of the provider's namespace and of spec.relay.allowedNamespaces
// (matched on the kubernetes.io/metadata.name label the API server sets on
// every namespace, which no tenant can forge), and on the metrics port only
// from pods of the provider's namespace, as the webhook server's. Whoever
// reaches the relay sends with the provider's numbers, so no other
// namespace may. It has effect only where the network plugin enforces
// NetworkPolicy.
func networkPolicy(t target) *networkingv1ac.NetworkPolicyApplyConfiguration {
	senders := []*networkingv1ac.NetworkPolicyPeerApplyConfiguration{ownNamespace()}
	if len(t.allowedNamespaces) > 0 {
		senders = append(senders, networkingv1ac.NetworkPolicyPeer().
			WithNamespaceSelector(metav1ac.LabelSelector().
				WithMatchExpressions(metav1ac.LabelSelectorRequirement().
					WithKey(corev1.LabelMetadataName).
					WithOperator(metav1.LabelSelectorOpIn).
					WithValues(t.allowedNamespaces...))))
	}
	return networkingv1ac.NetworkPolicy(t.name, t.namespace).
		WithLabels(t.labels()).
		WithOwnerReferences(t.owner.Reference()).
		WithSpec(networkingv1ac.NetworkPolicySpec().
			WithPodSelector(workload.LabelSelector(t.selector())).
			WithPolicyTypes(networkingv1.PolicyTypeIngress).
			WithIngress(
				networkingv1ac.NetworkPolicyIngressRule().
					WithFrom(senders...).
					WithPorts(workload.TCPPort(relayPort)),
				networkingv1ac.NetworkPolicyIngressRule().
					WithFrom(ownNamespace()).
					WithPorts(workload.TCPPort(metricsPort))))
}

// ownNamespace is every pod of the policy's own namespace: an empty pod
// selector without a namespace selector.
func ownNamespace() *networkingv1ac.NetworkPolicyPeerApplyConfiguration {
	return networkingv1ac.NetworkPolicyPeer().WithPodSelector(metav1ac.LabelSelector())
}
