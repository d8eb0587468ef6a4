package webhookresources

import (
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// FieldManager is the server-side apply field manager of every object this
// package writes.
const FieldManager = "whatsapp-operator"

// Container and port names of the webhook server.
const (
	containerName  = "webhook-server"
	portWebhook    = "webhook"
	portRelay      = "relay"
	portMetrics    = "metrics"
	webhookPort    = 8080
	relayPort      = 8081
	metricsPort    = 9090
	servicePort    = 80
	readyzPath     = "/readyz"
	healthzPath    = "/healthz"
	nameSuffix     = "-webhook"
	maxServiceName = validation.DNS1035LabelMaxLength
)

// ErrInvalidProviderName is returned (wrapped) by Apply when a MetaProvider's
// name cannot name its webhook objects: the Service name "<name>-webhook" must
// be a DNS-1035 label (at most 63 characters, starting with a letter) and the
// name itself a label value. Nothing is written; renaming the provider is the
// only fix, so callers should treat it as permanent (Stalled).
var ErrInvalidProviderName = errors.New("MetaProvider name cannot name its webhook objects")

// Name is the name of every webhook object of the MetaProvider providerName:
// "<providerName>-webhook".
func Name(providerName string) string { return providerName + nameSuffix }

// validateProviderName reports why providerName cannot name the webhook
// objects, wrapping ErrInvalidProviderName, or nil.
func validateProviderName(providerName string) error {
	var problems []string
	if errs := validation.IsDNS1035Label(Name(providerName)); len(errs) > 0 {
		problems = append(problems, fmt.Sprintf("Service name %q: %s", Name(providerName), strings.Join(errs, "; ")))
	}
	if errs := validation.IsValidLabelValue(providerName); len(errs) > 0 {
		problems = append(problems, fmt.Sprintf("label value %q: %s", providerName, strings.Join(errs, "; ")))
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w (use a name of at most %d characters starting with a letter): %s",
		ErrInvalidProviderName, maxServiceName-len(nameSuffix), strings.Join(problems, "; "))
}
