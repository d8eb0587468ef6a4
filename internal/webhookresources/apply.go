package webhookresources

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/workload"
)

const errEmptyImage = "no webhook server image configured (Options.Image is empty)"

// Options are the operator-wide settings the managed Deployments inherit.
type Options = workload.Options

// Result is the observed state of a provider's webhook server after Apply,
// for status.webhook and the WebhookReady condition.
type Result = workload.Readiness

// Apply writes every webhook object of p (not its Secrets: ApplySecrets) and reports the
// Deployment's readiness, as workload.ApplyForProvider says: server-side
// apply in dependency order, never over an object p does not control, the
// PodDisruptionBudget only while p needs one.
func Apply(ctx context.Context, c workload.Clients, scheme *runtime.Scheme, p *v1alpha1.MetaProvider, opts Options) (Result, error) {
	return workload.ApplyForProvider(ctx, c, scheme, p, opts.Image, workload.Kind{
		NameSuffix:      nameSuffix,
		NoImage:         errEmptyImage,
		DesiredReplicas: desiredReplicas,
		Build: func(p *v1alpha1.MetaProvider, owner workload.Owner) workload.Built {
			t := newTarget(p, opts, owner)
			set := build(t)
			return workload.Built{Objects: set.objects, Deployment: set.deployment, Namespace: t.namespace, Name: t.name, Replicas: t.replicas}
		},
	})
}
