package webhookresources

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

const (
	errEmptyImage = "no webhook server image configured (Options.Image is empty)"
	errOwnerKind  = "cannot determine the MetaProvider's kind from the scheme"
	errApply      = "cannot apply webhook %s %s/%s"
)

// Options are the operator-wide settings the webhook Deployment inherits.
type Options struct {
	// Image is the operator's image; the webhook server is the same binary
	// run as `whatsapp-operator webhook-server`. Required.
	Image string
	// GraphAPIURL is passed as --graph-api-url; empty leaves the server's
	// default.
	GraphAPIURL string
	// GraphAPIVersion is passed as --graph-api-version unless the provider
	// pins spec.graphAPIVersion; empty (and unpinned) leaves the server's
	// default.
	GraphAPIVersion string
	// APIServerCIDRs are the API server's addresses as pods reach it (the
	// kubernetes Service's ClusterIP and its endpoints). When set, the
	// webhook pods get an egress NetworkPolicy: DNS, these, the pods of
	// their namespace and the provider's spec.webhook.allowedEgressCIDRs.
	// Empty leaves egress open (without the API server's addresses the
	// policy would cut the pods off from it).
	APIServerCIDRs []string
}

// Result is the observed state of a provider's webhook server after Apply.
type Result struct {
	// ServiceName is the Service in front of the webhook server, for
	// status.webhook.serviceName.
	ServiceName string
	// DesiredReplicas is the Deployment size Apply asked for.
	DesiredReplicas int32
	// ReadyReplicas is the Deployment's status.readyReplicas.
	ReadyReplicas int32
	// Ready is true when at least one replica is ready and the rollout has
	// not exceeded its progress deadline.
	Ready bool
	// Message says, for the WebhookReady condition, how many replicas are
	// ready and, when not Ready, why.
	Message string
}

// Apply creates or updates every webhook object of p with server-side apply
// (field manager FieldManager, forced ownership), deletes the
// PodDisruptionBudget when p no longer needs one, and reports the Deployment's
// readiness. Objects are applied in dependency order; the first failure
// stops Apply and is returned, and the next call resumes (every step is
// idempotent). An unchanged p writes nothing.
//
// scheme resolves p's kind for the owner references. An invalid provider name
// returns an error wrapping ErrInvalidProviderName before anything is written.
func Apply(ctx context.Context, c client.Client, scheme *runtime.Scheme, p *v1alpha1.MetaProvider, opts Options) (Result, error) {
	res := Result{ServiceName: Name(p.Name), DesiredReplicas: desiredReplicas(p)}
	if opts.Image == "" {
		return res, errors.New(errEmptyImage)
	}
	if err := validateProviderName(p.Name); err != nil {
		return res, err
	}
	gvk, err := apiutil.GVKForObject(p, scheme)
	if err != nil {
		return res, fmt.Errorf("%s: %w", errOwnerKind, err)
	}
	t := newTarget(p, opts, gvk)
	set := build(t)
	for _, o := range set.objects {
		if err := c.Apply(ctx, o.config, client.FieldOwner(FieldManager), client.ForceOwnership); err != nil {
			return res, fmt.Errorf(errApply+": %w", o.kind, t.namespace, t.name, err)
		}
	}
	if !wantsPodDisruptionBudget(t) {
		if err := deleteStalePodDisruptionBudget(ctx, c, t); err != nil {
			return res, err
		}
	}
	observeDeployment(set.deployment, t, &res)
	return res, nil
}
