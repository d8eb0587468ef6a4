package relayresources

import (
	"context"
	"errors"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/workload"
)

const errEmptyImage = "no relay image configured (Options.Image is empty)"

// Result is the observed state of a provider's relay after Apply, for
// status.relay and the RelayReady condition.
type Result = workload.Readiness

// Apply creates or updates every relay object of p with server-side apply,
// refusing any object of the same name that p does not control (a
// *workload.NotControlledError, nothing of it touched), deletes the
// PodDisruptionBudget when p no longer needs one, and reports the
// Deployment's readiness. The first failure stops Apply; the next call
// resumes. An unchanged p modifies nothing.
func Apply(ctx context.Context, c workload.Clients, scheme *runtime.Scheme, p *v1alpha1.MetaProvider, opts Options) (Result, error) {
	res := Result{ServiceName: Name(p.Name), DesiredReplicas: desiredReplicas(p)}
	if opts.Image == "" {
		return res, errors.New(errEmptyImage)
	}
	if err := workload.ValidateProviderName(p.Name, nameSuffix); err != nil {
		return res, err
	}
	owner, err := workload.OwnerOf(p, scheme)
	if err != nil {
		return res, err
	}
	t := newTarget(p, opts, owner)
	set := build(t)
	if err := workload.Apply(ctx, c, owner, set.objects); err != nil {
		return res, err
	}
	if !workload.WantsPodDisruptionBudget(t.replicas) {
		if err := workload.DeleteStalePodDisruptionBudget(ctx, c.Client, owner, t.namespace, t.name); err != nil {
			return res, err
		}
	}
	workload.ObserveDeployment(set.deployment, &res)
	return res, nil
}
