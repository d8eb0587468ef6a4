package relayresources

import (
	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/podsettings"
	"github.com/kubechat/whatsapp-operator/internal/workload"
)

// defaultReplicas is the relay Deployment's size when the provider does not
// say (the CRD defaults spec.relay.replicas only when spec.relay is set).
const defaultReplicas int32 = 1

// Options are the operator-wide settings of the managed Deployments.
type Options = workload.Options

// target is what the builders need to know about one MetaProvider.
type target struct {
	provider          *v1alpha1.MetaProvider
	namespace         string
	name              string
	replicas          int32
	allowedNamespaces []string
	image             string
	graphAPIURL       string
	graphAPIVersion   string
	owner             workload.Owner
	// pod are the pod settings: the operator's defaults under the
	// provider's spec.relay.pod.
	pod v1alpha1.PodSettings
}

func newTarget(p *v1alpha1.MetaProvider, opts Options, owner workload.Owner) target {
	t := target{
		provider:        p,
		namespace:       p.Namespace,
		name:            Name(p.Name),
		replicas:        desiredReplicas(p),
		image:           opts.Image,
		graphAPIURL:     opts.GraphAPIURL,
		graphAPIVersion: opts.GraphAPIVersion,
		owner:           owner,
	}
	var pod *v1alpha1.PodSettings
	if p.Spec.Relay != nil {
		pod = p.Spec.Relay.Pod
	}
	t.pod = podsettings.Merge(opts.PodDefaults, pod)
	if p.Spec.Relay != nil {
		t.allowedNamespaces = p.Spec.Relay.AllowedNamespaces
	}
	if p.Spec.GraphAPIVersion != "" {
		t.graphAPIVersion = p.Spec.GraphAPIVersion
	}
	return t
}

// desiredReplicas is spec.relay.replicas, or defaultReplicas.
func desiredReplicas(p *v1alpha1.MetaProvider) int32 {
	if p.Spec.Relay != nil && p.Spec.Relay.Replicas != nil {
		return *p.Spec.Relay.Replicas
	}
	return defaultReplicas
}

func (t target) labels() map[string]string {
	return workload.ObjectLabels(workload.ComponentRelay, t.provider.Name)
}

func (t target) selector() map[string]string {
	return workload.SelectorLabels(workload.ComponentRelay, t.provider.Name)
}
