package relayresources

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/workload"
)

const errEmptyImage = "no relay image configured (Options.Image is empty)"

// Result is the observed state of a provider's relay after Apply, for
// status.relay and the RelayReady condition.
type Result = workload.Readiness

// Apply writes every relay object of p and reports the
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
