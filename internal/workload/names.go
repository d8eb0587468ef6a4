package workload

import (
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// FieldManager is the server-side apply field manager of every object the
// operator writes for a provider.
const FieldManager = "whatsapp-operator"

// LongestServiceSuffix is the longest suffix a workload appends to the
// provider's name to name its Service ("-webhook"): the CRD's name limit
// (55 characters) leaves room for it in a 63-character DNS label.
const LongestServiceSuffix = "-webhook"

// ErrInvalidProviderName is returned (wrapped) when a MetaProvider's name
// cannot name its objects: every Service name "<name><suffix>" must be a
// DNS-1035 label (at most 63 characters, starting with a letter) and the
// name itself a label value. Nothing is written; renaming the provider is
// the only fix, so callers treat it as permanent (Stalled).
var ErrInvalidProviderName = errors.New("MetaProvider name cannot name its managed objects")

// ValidateProviderName reports why providerName cannot name the Service
// providerName+suffix, wrapping ErrInvalidProviderName, or nil.
func ValidateProviderName(providerName, suffix string) error {
	var problems []string
	service := providerName + suffix
	if errs := validation.IsDNS1035Label(service); len(errs) > 0 {
		problems = append(problems, fmt.Sprintf("Service name %q: %s", service, strings.Join(errs, "; ")))
	}
	if errs := validation.IsValidLabelValue(providerName); len(errs) > 0 {
		problems = append(problems, fmt.Sprintf("label value %q: %s", providerName, strings.Join(errs, "; ")))
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w (use a name of at most %d characters starting with a letter): %s",
		ErrInvalidProviderName, validation.DNS1035LabelMaxLength-len(LongestServiceSuffix), strings.Join(problems, "; "))
}
