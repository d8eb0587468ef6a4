package podsettings

import (
	"encoding/json"
	"maps"

	corev1 "k8s.io/api/core/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// Labels returns the pods' labels: s's, then the operator's own on top, so
// that no setting can replace a label that selects the pods (the CRD and
// Validate refuse them besides).
func Labels(own map[string]string, s v1alpha1.PodSettings) map[string]string {
	out := make(map[string]string, len(own)+len(s.Labels))
	for k, v := range s.Labels {
		out[k] = string(v)
	}
	maps.Copy(out, own)
	return out
}

// Annotations returns the pods' annotations, or nil when s has none.
func Annotations(s v1alpha1.PodSettings) map[string]string {
	if len(s.Annotations) == 0 {
		return nil
	}
	out := make(map[string]string, len(s.Annotations))
	for k, v := range s.Annotations {
		out[k] = string(v)
	}
	return out
}

// Schedule adds s's node selector, tolerations, affinity and priority
// class to a pod spec; unset ones add nothing.
func Schedule(spec *corev1ac.PodSpecApplyConfiguration, s v1alpha1.PodSettings) *corev1ac.PodSpecApplyConfiguration {
	if len(s.NodeSelector) > 0 {
		ns := make(map[string]string, len(s.NodeSelector))
		for k, v := range s.NodeSelector {
			ns[k] = string(v)
		}
		spec.WithNodeSelector(ns)
	}
	for i := range s.Tolerations {
		t := s.Tolerations[i]
		tac := corev1ac.Toleration().WithKey(t.Key).WithOperator(t.Operator).WithValue(t.Value).WithEffect(t.Effect)
		if t.TolerationSeconds != nil {
			tac.WithTolerationSeconds(*t.TolerationSeconds)
		}
		spec.WithTolerations(tac)
	}
	if s.Affinity != nil {
		spec.Affinity = affinity(s.Affinity)
	}
	if s.PriorityClassName != "" {
		spec.WithPriorityClassName(s.PriorityClassName)
	}
	return spec
}

// affinity converts an Affinity to its apply configuration: the two share
// their JSON form, field for field.
func affinity(a *corev1.Affinity) *corev1ac.AffinityApplyConfiguration {
	raw, err := json.Marshal(a)
	if err != nil {
		panic("podsettings: marshal Affinity: " + err.Error())
	}
	out := &corev1ac.AffinityApplyConfiguration{}
	if err := json.Unmarshal(raw, out); err != nil {
		panic("podsettings: Affinity as apply configuration: " + err.Error())
	}
	return out
}
