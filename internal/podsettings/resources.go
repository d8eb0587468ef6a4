package podsettings

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// goMemLimitPercent of the memory limit is the Go runtime's soft limit
// (GOMEMLIMIT): the rest is for what the runtime does not count.
const goMemLimitPercent = 90

// Resources are a container's effective requests and limits.
type Resources struct {
	Requests, Limits corev1.ResourceList
}

// Effective returns the operator's own resources (builtin) with each
// amount r sets replacing the builtin one. A memory limit below the
// effective memory request is raised to it, so that setting only a larger
// request does not make an invalid pod.
func Effective(builtin Resources, r *v1alpha1.PodResources) Resources {
	out := Resources{Requests: builtin.Requests.DeepCopy(), Limits: builtin.Limits.DeepCopy()}
	if out.Requests == nil {
		out.Requests = corev1.ResourceList{}
	}
	if out.Limits == nil {
		out.Limits = corev1.ResourceList{}
	}
	if r != nil {
		setAmounts(out.Requests, r.Requests)
		setAmounts(out.Limits, r.Limits)
	}
	for _, name := range []corev1.ResourceName{corev1.ResourceMemory, corev1.ResourceCPU} {
		req, hasReq := out.Requests[name]
		lim, hasLim := out.Limits[name]
		if hasReq && hasLim && req.Cmp(lim) > 0 {
			out.Limits[name] = req.DeepCopy()
		}
	}
	return out
}

func setAmounts(list corev1.ResourceList, a *v1alpha1.ResourceAmounts) {
	if a == nil {
		return
	}
	if q, err := resource.ParseQuantity(a.CPU); a.CPU != "" && err == nil {
		list[corev1.ResourceCPU] = q
	}
	if q, err := resource.ParseQuantity(a.Memory); a.Memory != "" && err == nil {
		list[corev1.ResourceMemory] = q
	}
}

// GoMemLimit is the GOMEMLIMIT value for these resources: 90% of the
// memory limit in whole MiB ("230MiB" of 256Mi), or "" without a limit.
func (r Resources) GoMemLimit() string {
	lim, ok := r.Limits[corev1.ResourceMemory]
	if !ok {
		return ""
	}
	mib := lim.Value() >> 20
	return strconv.FormatInt(mib*goMemLimitPercent/100, 10) + "MiB"
}
