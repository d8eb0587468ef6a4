package podsettings

import (
	"maps"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// Merge returns the settings a provider's pods get: each field of override
// that is set replaces the default's; labels, annotations and nodeSelector
// are merged key by key, override winning. Neither argument is changed.
func Merge(defaults, override *v1alpha1.PodSettings) v1alpha1.PodSettings {
	var out v1alpha1.PodSettings
	if defaults != nil {
		defaults.DeepCopyInto(&out)
	}
	if override == nil {
		return out
	}
	o := override.DeepCopy()
	if o.Resources != nil {
		out.Resources = o.Resources
	}
	if o.Tolerations != nil {
		out.Tolerations = o.Tolerations
	}
	if o.Affinity != nil {
		out.Affinity = o.Affinity
	}
	if o.PriorityClassName != "" {
		out.PriorityClassName = o.PriorityClassName
	}
	out.NodeSelector = mergeMaps(out.NodeSelector, o.NodeSelector)
	out.Labels = mergeMaps(out.Labels, o.Labels)
	out.Annotations = mergeMaps(out.Annotations, o.Annotations)
	return out
}

func mergeMaps[V any](base, over map[string]V) map[string]V {
	if len(over) == 0 {
		return base
	}
	out := make(map[string]V, len(base)+len(over))
	maps.Copy(out, base)
	maps.Copy(out, over)
	return out
}
