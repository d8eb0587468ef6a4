package relayresources

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
)

// service is the ClusterIP Service chatbots send through: port 80 (name
// "relay") to the container port "relay". A bot's WhatsApp client library
// takes http://<provider>-relay.<namespace> as its base URL. Metrics are
// scraped from each pod's "metrics" port, not through the Service.
func service(t target) *corev1ac.ServiceApplyConfiguration {
	return corev1ac.Service(t.name, t.namespace).
		WithLabels(t.labels()).
		WithOwnerReferences(t.owner.Reference()).
		WithSpec(corev1ac.ServiceSpec().
			WithType(corev1.ServiceTypeClusterIP).
			WithSelector(t.selector()).
			WithPorts(corev1ac.ServicePort().
				WithName(portRelay).
				WithProtocol(corev1.ProtocolTCP).
				WithPort(servicePort).
				WithTargetPort(intstr.FromString(portRelay))))
}
