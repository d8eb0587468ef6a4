package workload

import (
	"context"
	"errors"

	"k8s.io/apimachinery/pkg/runtime"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// Built is one workload's objects for a provider, in the order they are
// written, with the Deployment among them whose readiness is reported.
type Built struct {
	Objects    []Object
	Deployment *appsv1ac.DeploymentApplyConfiguration
	// Namespace and Name of the objects (one name for all of them), and
	// the Deployment's replicas: a PodDisruptionBudget of that name is
	// deleted when they no longer need one.
	Namespace, Name string
	Replicas        int32
}

// Kind is what a workload package (internal/webhookresources,
// internal/relayresources) tells ApplyForProvider about itself.
type Kind struct {
	// NameSuffix follows the provider's name in every object's name.
	NameSuffix string
	// NoImage is the error when the operator has no image for it.
	NoImage string
	// DesiredReplicas is the Deployment size the provider asks for.
	DesiredReplicas func(*v1alpha1.MetaProvider) int32
	// Build makes the objects for the provider, owned by owner.
	Build func(p *v1alpha1.MetaProvider, owner Owner) Built
}

// ApplyForProvider creates or updates every object of one workload of p
// with server-side apply, refusing any object of the same name that p does
// not control (a *NotControlledError, nothing of it touched), deletes the
// PodDisruptionBudget when p no longer needs one, and reports the
// Deployment's readiness. Objects are applied in the order Build gives;
// the first failure stops it and is returned, and the next call resumes
// (every step is idempotent). An unchanged p modifies nothing. An invalid
// provider name returns an error wrapping ErrInvalidProviderName before
// anything is written.
func ApplyForProvider(ctx context.Context, c Clients, scheme *runtime.Scheme, p *v1alpha1.MetaProvider, image string, k Kind) (Readiness, error) {
	res := Readiness{ServiceName: p.Name + k.NameSuffix, DesiredReplicas: k.DesiredReplicas(p)}
	if image == "" {
		return res, errors.New(k.NoImage)
	}
	if err := ValidateProviderName(p.Name, k.NameSuffix); err != nil {
		return res, err
	}
	owner, err := OwnerOf(p, scheme)
	if err != nil {
		return res, err
	}
	b := k.Build(p, owner)
	if err := Apply(ctx, c, owner, b.Objects); err != nil {
		return res, err
	}
	if !WantsPodDisruptionBudget(b.Replicas) {
		if err := DeleteStalePodDisruptionBudget(ctx, c.Client, owner, b.Namespace, b.Name); err != nil {
			return res, err
		}
	}
	ObserveDeployment(b.Deployment, &res)
	return res, nil
}
