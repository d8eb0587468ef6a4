package webhookresources

import (
	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/podsettings"
	"github.com/kubechat/whatsapp-operator/internal/workload"
)

// defaultReplicas is the webhook Deployment's size when the provider does not
// say (the CRD defaults spec.webhook.replicas only when spec.webhook is set).
const defaultReplicas int32 = 1

// target is what the builders need to know about one MetaProvider, resolved
// once from its spec and the operator's Options.
type target struct {
	namespace       string
	provider        string
	name            string
	replicas        int32
	image           string
	graphAPIURL     string
	graphAPIVersion string
	// egressCIDRs are spec.webhook.allowedEgressCIDRs; apiServerCIDRs the
	// operator's Options.APIServerCIDRs.
	egressCIDRs    []string
	apiServerCIDRs []string
	owner          workload.Owner
	// pod are the pod settings: the operator's defaults under the
	// provider's spec.webhook.pod.
	pod v1alpha1.PodSettings
}

func newTarget(p *v1alpha1.MetaProvider, opts Options, owner workload.Owner) target {
	t := target{
		namespace:       p.Namespace,
		provider:        p.Name,
		name:            Name(p.Name),
		replicas:        desiredReplicas(p),
		image:           opts.Image,
		graphAPIURL:     opts.GraphAPIURL,
		graphAPIVersion: opts.GraphAPIVersion,
		owner:           owner,
	}
	var pod *v1alpha1.PodSettings
	if p.Spec.Webhook != nil {
		pod = p.Spec.Webhook.Pod
	}
	t.pod = podsettings.Merge(opts.PodDefaults, pod)
	if p.Spec.GraphAPIVersion != "" {
		t.graphAPIVersion = p.Spec.GraphAPIVersion
	}
	if p.Spec.Webhook != nil {
		for _, c := range p.Spec.Webhook.AllowedEgressCIDRs {
			t.egressCIDRs = append(t.egressCIDRs, string(c))
		}
	}
	t.apiServerCIDRs = opts.APIServerCIDRs
	return t
}

// desiredReplicas is spec.webhook.replicas, or defaultReplicas.
func desiredReplicas(p *v1alpha1.MetaProvider) int32 {
	if p.Spec.Webhook != nil && p.Spec.Webhook.Replicas != nil {
		return *p.Spec.Webhook.Replicas
	}
	return defaultReplicas
}

func (t target) labels() map[string]string {
	return workload.ObjectLabels(workload.ComponentWebhook, t.provider)
}

func (t target) selector() map[string]string {
	return workload.SelectorLabels(workload.ComponentWebhook, t.provider)
}
