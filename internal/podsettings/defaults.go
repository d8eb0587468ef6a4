package podsettings

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// Bounds and reserved keys, as the CRD has them.
const (
	maxLabels      = 32
	maxAnnotations = 32
	maxNodeLabels  = 16
	maxTolerations = 16
	maxAnnotation  = 4096
	minMemoryLimit = "64Mi"
)

// reservedLabels select the pods (Deployment, Service, PDB, NetworkPolicy,
// the operator's cache and the PodMonitors).
var reservedLabels = []string{"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/managed-by"}

// operatorPrefix is the operator's own label and annotation prefix.
const operatorPrefix = "whatsapp.kubechat.io/"

// hardeningAnnotationPrefixes would change the pods' AppArmor or seccomp
// profile.
var hardeningAnnotationPrefixes = []string{"container.apparmor.security.beta.kubernetes.io/", "seccomp.security.alpha.kubernetes.io/"}

// ParseDefaults reads an operator-wide default from a flag's value: the
// JSON of a spec.webhook.pod (or spec.relay.pod). Empty means no default.
// flag names the flag in errors.
func ParseDefaults(flag, value string) (*v1alpha1.PodSettings, error) {
	if strings.TrimSpace(value) == "" {
		return nil, nil
	}
	var s v1alpha1.PodSettings
	dec := json.NewDecoder(strings.NewReader(value))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("--%s: not the JSON of a MetaProvider's pod settings: %w", flag, err)
	}
	if err := Validate(&s); err != nil {
		return nil, fmt.Errorf("--%s: %w", flag, err)
	}
	return &s, nil
}

// Validate checks s with the rules the CRD applies at admission.
func Validate(s *v1alpha1.PodSettings) error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(s.Labels) > maxLabels {
		add("labels: at most %d", maxLabels)
	}
	for k, v := range s.Labels {
		if msgs := validation.IsQualifiedName(k); len(msgs) > 0 {
			add("labels: key %q: %s", k, strings.Join(msgs, "; "))
		}
		if msgs := validation.IsValidLabelValue(string(v)); len(msgs) > 0 {
			add("labels: value of %q: %s", k, strings.Join(msgs, "; "))
		}
		if isReservedLabel(k) {
			add("labels: %q is the operator's: it selects the pods", k)
		}
	}
	if len(s.Annotations) > maxAnnotations {
		add("annotations: at most %d", maxAnnotations)
	}
	for k, v := range s.Annotations {
		if len(v) > maxAnnotation {
			add("annotations: value of %q longer than %d", k, maxAnnotation)
		}
		if isReservedAnnotation(k) {
			add("annotations: %q is the operator's: the pods' hardening cannot be changed", k)
		}
	}
	if len(s.NodeSelector) > maxNodeLabels {
		add("nodeSelector: at most %d", maxNodeLabels)
	}
	if len(s.Tolerations) > maxTolerations {
		add("tolerations: at most %d", maxTolerations)
	}
	if s.PriorityClassName != "" {
		if msgs := validation.IsDNS1123Subdomain(s.PriorityClassName); len(msgs) > 0 {
			add("priorityClassName: %s", strings.Join(msgs, "; "))
		}
	}
	if err := validateResources(s.Resources); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func isReservedLabel(k string) bool {
	for _, r := range reservedLabels {
		if k == r {
			return true
		}
	}
	return strings.HasPrefix(k, operatorPrefix)
}

func isReservedAnnotation(k string) bool {
	for _, p := range hardeningAnnotationPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return strings.HasPrefix(k, operatorPrefix)
}

func validateResources(r *v1alpha1.PodResources) error {
	if r == nil {
		return nil
	}
	var errs []error
	parse := func(field, v string) *resource.Quantity {
		if v == "" {
			return nil
		}
		q, err := resource.ParseQuantity(v)
		if err != nil || q.Sign() <= 0 {
			errs = append(errs, fmt.Errorf("resources.%s: %q is not a positive quantity", field, v))
			return nil
		}
		return &q
	}
	var req, lim v1alpha1.ResourceAmounts
	if r.Requests != nil {
		req = *r.Requests
	}
	if r.Limits != nil {
		lim = *r.Limits
	}
	reqCPU, reqMem := parse("requests.cpu", req.CPU), parse("requests.memory", req.Memory)
	limCPU, limMem := parse("limits.cpu", lim.CPU), parse("limits.memory", lim.Memory)
	if limMem != nil && limMem.Cmp(resource.MustParse(minMemoryLimit)) < 0 {
		errs = append(errs, fmt.Errorf("resources.limits.memory must be at least %s: the Go runtime's soft limit is 90%% of it", minMemoryLimit))
	}
	if reqMem != nil && limMem != nil && reqMem.Cmp(*limMem) > 0 {
		errs = append(errs, fmt.Errorf("resources: requests.memory must not exceed limits.memory"))
	}
	if reqCPU != nil && limCPU != nil && reqCPU.Cmp(*limCPU) > 0 {
		errs = append(errs, fmt.Errorf("resources: requests.cpu must not exceed limits.cpu"))
	}
	return errors.Join(errs...)
}
