package controllers

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
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

// readyProvider returns the referenced provider and its credentials when it
// is Ready; otherwise it marks obj Reconciling (it resumes by itself when
// the provider becomes Ready: the provider is watched) and ok is false. No
// Graph call is made for an object whose provider is not Ready.
func (b *base) readyProvider(ctx context.Context, obj statusObject, name string) (*whatsappv1alpha1.MetaProvider, *credentials, bool, error) {
	p, err := b.getProvider(ctx, obj.GetNamespace(), name)
	if apierrors.IsNotFound(err) {
		conditions.MarkReconciling(obj, whatsappv1alpha1.ReasonProviderNotFound,
			fmt.Sprintf("MetaProvider %s/%s does not exist: create it or fix spec.providerRef.name", obj.GetNamespace(), name))
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, err
	}
	if !conditions.IsTrue(p, whatsappv1alpha1.ConditionReady) {
		why := "it has not been reconciled yet"
		if c := conditions.Get(p, whatsappv1alpha1.ConditionReady); c != nil && c.Message != "" {
			why = c.Message
		}
		conditions.MarkReconciling(obj, whatsappv1alpha1.ReasonProviderNotReady, fmt.Sprintf("MetaProvider %s is not Ready: %s", name, why))
		return nil, nil, false, nil
	}
	creds, err := b.loadCredentials(ctx, p)
	if err != nil {
		var ce *credentialsError
		if !errors.As(err, &ce) {
			return nil, nil, false, err // the API server: retried with backoff
		}
		// The provider sees the same Secret and will flip to not Ready,
		// which the provider watch brings back here.
		conditions.MarkReconciling(obj, whatsappv1alpha1.ReasonProviderNotReady, fmt.Sprintf("MetaProvider %s: %s", name, ce.Message))
		return nil, nil, false, nil
	}
	return p, creds, true, nil
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
