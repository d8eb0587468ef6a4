package webhookresources

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
)

// service is the ClusterIP Service in front of the webhook pods: port 80
// (name "webhook") is what an Ingress or Gateway routes Meta's callbacks
// to, and its only port. Chatbots send through the relay's own Service
// (<provider>-relay), never through this one.
//
// The metrics port is deliberately not on the Service: metrics are per
// replica and are scraped from each pod (a PodMonitor on the container
// port named "metrics", or pod discovery), and the Service is what gets
// exposed through an Ingress or Gateway.
func service(t target) *corev1ac.ServiceApplyConfiguration {
	return corev1ac.Service(t.name, t.namespace).
		WithLabels(t.labels()).
		WithOwnerReferences(t.owner.Reference()).
		WithSpec(corev1ac.ServiceSpec().
			WithType(corev1.ServiceTypeClusterIP).
			WithSelector(t.selector()).
			WithPorts(
				corev1ac.ServicePort().
					WithName(portWebhook).
					WithProtocol(corev1.ProtocolTCP).
					WithPort(servicePort).
					WithTargetPort(intstr.FromString(portWebhook))))
}
