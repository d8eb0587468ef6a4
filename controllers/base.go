package controllers

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// base holds what every reconciler needs.
type base struct {
	client client.Client
	// apiReader reads objects the manager does not cache (Services).
	apiReader client.Reader
	scheme    *runtime.Scheme
	recorder  recorder.EventRecorder
	opts      Options
	listings  *wabaListings
	secrets   *secretValues
}

func newBase(mgr ctrl.Manager, opts Options) *base {
	return &base{
		client:    mgr.GetClient(),
		apiReader: mgr.GetAPIReader(),
		scheme:    mgr.GetScheme(),
		recorder:  mgr.GetEventRecorder("whatsapp-operator"),
		opts:      opts,
		listings:  newWABAListings(opts.Now),
		secrets:   newSecretValues(),
	}
}

// now is the controllers' clock.
func (b *base) now() time.Time { return b.opts.Now() }

// graphClient returns the Graph client for a provider's credentials.
func (b *base) graphClient(p *whatsappv1alpha1.MetaProvider, creds *credentials) *graph.Client {
	return b.opts.Graph.Client(creds.AccessToken, graph.WithVersion(p.Spec.GraphAPIVersion))
}

// syncInterval is the provider's effective resync interval.
func syncInterval(p *whatsappv1alpha1.MetaProvider) time.Duration {
	if p.Spec.SyncInterval != nil && p.Spec.SyncInterval.Duration >= time.Minute {
		return p.Spec.SyncInterval.Duration
	}
	return defaultSyncInterval
}

// defaultSyncInterval applies when spec.syncInterval is unset (the schema
// defaults it, so only objects written before the default existed).
const defaultSyncInterval = 10 * time.Minute

// getProvider reads the provider a channel or template references.
func (b *base) getProvider(ctx context.Context, namespace, name string) (*whatsappv1alpha1.MetaProvider, error) {
	p := &whatsappv1alpha1.MetaProvider{}
	if err := b.client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, p); err != nil {
		return nil, err
	}
	return p, nil
}

// listingAge is how old a shared listing may be for this reconcile: the
// sync interval normally; when a human or a webhook asked for a fresh look
// (the reconcile-request annotation changed), younger than the request
// (its value is a timestamp by convention) and at most MinListingAge, so a
// burst of requests still costs one Graph call.
func (b *base) listingAge(obj statusObject, interval time.Duration) time.Duration {
	req, ok := obj.GetAnnotations()[whatsappv1alpha1.ReconcileRequestAnnotation]
	if !ok || req == obj.GetReconcileStatus().LastHandledReconcileAt {
		return interval
	}
	age := b.opts.MinListingAge
	if at, err := time.Parse(time.RFC3339Nano, req); err == nil {
		age = min(age, max(b.now().Sub(at), 0))
	}
	return age
}
