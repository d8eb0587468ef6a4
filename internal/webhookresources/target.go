package webhookresources

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
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
	secretName      string
	replicas        int32
	image           string
	graphAPIURL     string
	graphAPIVersion string
	// egressCIDRs are spec.webhook.allowedEgressCIDRs; apiServerCIDRs the
	// operator's Options.APIServerCIDRs.
	egressCIDRs    []string
	apiServerCIDRs []string
	ownerGVK       schema.GroupVersionKind
	ownerUID       types.UID
}

func newTarget(p *v1alpha1.MetaProvider, opts Options, ownerGVK schema.GroupVersionKind) target {
	t := target{
		namespace:       p.Namespace,
		provider:        p.Name,
		name:            Name(p.Name),
		secretName:      p.Spec.CredentialsSecretRef.Name,
		replicas:        desiredReplicas(p),
		image:           opts.Image,
		graphAPIURL:     opts.GraphAPIURL,
		graphAPIVersion: opts.GraphAPIVersion,
		ownerGVK:        ownerGVK,
		ownerUID:        p.UID,
	}
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

func (t target) labels() map[string]string   { return objectLabels(t.provider) }
func (t target) selector() map[string]string { return selectorLabels(t.provider) }

// ownerReference makes the MetaProvider the controller of an object, so that
// deleting the provider garbage-collects it (foreground deletion waits for it).
func (t target) ownerReference() *metav1ac.OwnerReferenceApplyConfiguration {
	return metav1ac.OwnerReference().
		WithAPIVersion(t.ownerGVK.GroupVersion().String()).
		WithKind(t.ownerGVK.Kind).
		WithName(t.provider).
		WithUID(t.ownerUID).
		WithController(true).
		WithBlockOwnerDeletion(true)
}

// labelSelector selects the webhook pods.
func (t target) labelSelector() *metav1ac.LabelSelectorApplyConfiguration {
	return metav1ac.LabelSelector().WithMatchLabels(t.selector())
}
