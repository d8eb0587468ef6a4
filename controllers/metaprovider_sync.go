package controllers

import (
	"context"
	"errors"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/relayresources"
	"github.com/kubechat/whatsapp-operator/internal/webhookresources"
)

// Reconcile brings one MetaProvider to its spec.
func (r *MetaProviderReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return reconcileObject(ctx, r.base, req, &whatsappv1alpha1.MetaProvider{}, r)
}

// providerSync is one reconcile of a MetaProvider: what its steps share.
type providerSync struct {
	*MetaProviderReconciler
	p        *whatsappv1alpha1.MetaProvider
	interval time.Duration
	webhook  webhookresources.Result
	relay    relayresources.Result
	// relayWas is RelayReady as the reconcile found it.
	relayWas *metav1.Condition
	creds    *credentials
	graph    *graph.Client
}

// providerCheckInputs is what the token and subscription checks depend on:
// the object (a provider deleted and created again under its name starts
// afresh), the spec's generation and the credentials (the same pointer
// while the Secret is unchanged).
type providerCheckInputs struct {
	uid        types.UID
	generation int64
	creds      *credentials
}

// sync runs the provider's steps in order: the webhook server and the
// relay, the credentials and the Secrets derived from them, the token and
// subscription checks, the WABA's numbers, the fallback template.
func (r *MetaProviderReconciler) sync(ctx context.Context, p *whatsappv1alpha1.MetaProvider) (ctrl.Result, error) {
	s := &providerSync{MetaProviderReconciler: r, p: p, interval: syncInterval(p)}

	// The webhook server first: it needs no Graph call, and Meta verifies a
	// callback override the moment it is registered.
	if err := s.applyWebhookServer(ctx); err != nil {
		return ctrl.Result{}, err
	}
	if err := s.applyRelay(ctx); err != nil {
		return ctrl.Result{}, err
	}
	if err := s.loadCredentials(ctx); err != nil {
		return ctrl.Result{}, err
	}
	// Before the subscription: Meta verifies a callback override at once,
	// against the verify token the webhook server reads from this Secret.
	if err := s.applyWebhookSecrets(ctx); err != nil {
		return ctrl.Result{}, err
	}

	// The token and subscription checks cost three management calls; events
	// on the owned objects or the Secret's metadata must not repeat them
	// within syncInterval when nothing they depend on changed.
	// Half the interval, so the jittered periodic resync always re-checks
	// (a revoked token makes no Secret event).
	inputs := providerCheckInputs{uid: p.UID, generation: p.Generation, creds: s.creds}
	recent := r.checks.fresh(client.ObjectKeyFromObject(p), inputs, r.now(), min(r.listingAge(p, s.interval), s.interval/2)) &&
		conditions.IsTrue(p, whatsappv1alpha1.ConditionCredentialsValid) && conditions.IsTrue(p, whatsappv1alpha1.ConditionAppSubscribed)
	if !recent {
		if err := s.checkCredentials(ctx); err != nil {
			return ctrl.Result{}, err
		}
	}

	phones, err := r.listings.phoneNumbers(ctx, s.graph, p.Spec.BusinessAccountID, r.listingAge(p, s.interval))
	if err != nil {
		return ctrl.Result{}, graphOutcome(err, graphCall{interval: s.interval, refusal: whatsappv1alpha1.ReasonGraphAPIError})
	}
	p.Status.PhoneNumberCount = int32(len(phones))

	if !recent {
		if err := s.ensureSubscribed(ctx); err != nil {
			return ctrl.Result{}, err
		}
		r.checks.record(client.ObjectKeyFromObject(p), inputs, r.now())
	}

	fallbackProblem, err := s.checkFallbackTemplate(ctx)
	if err != nil {
		return ctrl.Result{}, err
	}
	if !s.webhook.Ready {
		// The Deployment watch brings us back when a replica is ready.
		return ctrl.Result{}, &retryLater{reason: whatsappv1alpha1.ReasonWaitingForWebhook, message: workloadWaitMessage("webhook server", s.webhook), after: jitter(s.interval)}
	}
	if !s.relay.Ready {
		return ctrl.Result{}, &retryLater{reason: whatsappv1alpha1.ReasonWaitingForRelay, message: workloadWaitMessage("relay", s.relay), after: jitter(s.interval)}
	}
	msg := fmt.Sprintf("WhatsApp Business Account %q (%s): credentials valid, app subscribed, %d phone number(s), webhook server and relay ready",
		p.Status.BusinessAccountName, p.Spec.BusinessAccountID, len(phones))
	if fallbackProblem != "" {
		msg += "; warning: " + fallbackProblem
	}
	conditions.MarkReady(p, msg)
	return ctrl.Result{RequeueAfter: jitter(s.interval)}, nil
}

// loadCredentials reads the provider's Secret. A missing Secret or key
// waits for the user: the Secret watch brings the provider back when it is
// fixed.
func (s *providerSync) loadCredentials(ctx context.Context) error {
	creds, err := s.base.loadCredentials(ctx, s.p)
	if err != nil {
		var ce *credentialsError
		if errors.As(err, &ce) {
			conditions.Set(s.p, whatsappv1alpha1.ConditionCredentialsValid, metav1.ConditionFalse, ce.Reason, ce.Message)
			return &waitForUser{reason: ce.Reason, message: ce.Message}
		}
		return err
	}
	s.creds, s.graph = creds, s.graphClient(s.p, creds)
	return nil
}

// forget drops the checks remembered for a provider that no longer exists.
func (r *MetaProviderReconciler) forget(req ctrl.Request) { r.checks.forget(req.NamespacedName) }
