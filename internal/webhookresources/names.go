package webhookresources

import (
	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/workload"
)

// Container and port names of the webhook server.
const (
	containerName = "webhook-server"
	portWebhook   = "webhook"
	portMetrics   = "metrics"
	webhookPort   = 8080
	metricsPort   = 9090
	servicePort   = 80
	nameSuffix    = workload.LongestServiceSuffix
)

// ErrInvalidProviderName is workload.ErrInvalidProviderName, returned
// (wrapped) by Apply before anything is written.
var ErrInvalidProviderName = workload.ErrInvalidProviderName

// Name is the name of every webhook object of the MetaProvider providerName:
// "<providerName>-webhook" (the derived Secret included).
func Name(providerName string) string { return providerName + nameSuffix }

// SecretName is the derived Secret the webhook server reads: the app
// secret(s), the verify token and the forwarding key, never the access
// token. It is also Name(providerName).
func SecretName(providerName string) string { return v1alpha1.WebhookSecretName(providerName) }

// ForwardingSecretName is the Secret holding the key that signs the
// bodies forwarded to chatbots, which chatbots read to verify them.
func ForwardingSecretName(providerName string) string {
	return v1alpha1.ForwardingSecretName(providerName)
}
