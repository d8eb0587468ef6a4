package controllers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/webhookresources"
)

// tokenExpiryWarning: a token expiring sooner than this is reported.
const tokenExpiryWarning = 7 * 24 * time.Hour

// Reconcile brings one MetaProvider to its spec.
func (r *MetaProviderReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	p := &whatsappv1alpha1.MetaProvider{}
	if err := r.client.Get(ctx, req.NamespacedName, p); err != nil {
		return ctrl.Result{}, ignoreNotFound(err)
	}
	before := p.DeepCopy()
	if !p.DeletionTimestamp.IsZero() {
		return r.finalize(ctx, p)
	}
	conditions.MarkSeen(p)
	res, err := r.sync(ctx, p)
	if serr := r.finishStatus(ctx, p, before, err); serr != nil && err == nil {
		err = serr
	}
	return res, err
}

func (r *MetaProviderReconciler) sync(ctx context.Context, p *whatsappv1alpha1.MetaProvider) (ctrl.Result, error) {
	interval := syncInterval(p)

	// The webhook server first: it needs no Graph call, and Meta verifies a
	// callback override the moment it is registered.
	wr, err := webhookresources.Apply(ctx, r.client, r.scheme, p, r.resources)
	if err != nil {
		conditions.Set(p, whatsappv1alpha1.ConditionWebhookReady, metav1.ConditionFalse, whatsappv1alpha1.ReasonWaitingForWebhook, "cannot apply the webhook server's objects: "+err.Error())
		conditions.MarkReconciling(p, whatsappv1alpha1.ReasonWaitingForWebhook, "cannot apply the webhook server's objects: "+err.Error())
		return ctrl.Result{}, err
	}
	p.Status.Webhook = &whatsappv1alpha1.ProviderWebhookStatus{ServiceName: wr.ServiceName, ReadyReplicas: wr.ReadyReplicas}
	if wr.Ready {
		conditions.Set(p, whatsappv1alpha1.ConditionWebhookReady, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded,
			fmt.Sprintf("webhook server %s has %d/%d ready replicas", wr.ServiceName, wr.ReadyReplicas, wr.DesiredReplicas))
	} else {
		conditions.Set(p, whatsappv1alpha1.ConditionWebhookReady, metav1.ConditionFalse, whatsappv1alpha1.ReasonWaitingForWebhook, webhookWaitMessage(wr))
	}

	creds, err := r.loadCredentials(ctx, p)
	if err != nil {
		var ce *credentialsError
		if errors.As(err, &ce) {
			conditions.Set(p, whatsappv1alpha1.ConditionCredentialsValid, metav1.ConditionFalse, ce.Reason, ce.Message)
			conditions.MarkStalled(p, ce.Reason, ce.Message)
			// The Secret watch brings us back when it is fixed.
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	gc := r.graphClient(p, creds)

	// The token and subscription checks cost three management calls; events
	// on the owned objects or the Secret's metadata must not repeat them
	// within syncInterval when nothing they depend on changed.
	// Half the interval, so the jittered periodic resync always re-checks
	// (a revoked token makes no Secret event).
	recent := r.checks.fresh(p, creds, r.now(), min(r.listingAge(p, interval), interval/2))
	if !recent {
		if res, err, ok := r.checkCredentials(ctx, p, gc, creds, interval); !ok {
			return res, err
		}
	}

	phones, err := r.listings.phoneNumbers(ctx, gc, p.Spec.BusinessAccountID, r.listingAge(p, interval))
	if err != nil {
		return graphFailure(p, err, whatsappv1alpha1.ReasonGraphAPIError, interval)
	}
	p.Status.PhoneNumberCount = int32(len(phones))

	if !recent {
		if res, err, ok := r.ensureSubscribed(ctx, p, gc, creds, wr.Ready, interval); !ok {
			return res, err
		}
		r.checks.record(p, creds, r.now())
	}

	if !wr.Ready {
		conditions.MarkReconciling(p, whatsappv1alpha1.ReasonWaitingForWebhook, webhookWaitMessage(wr))
		// The Deployment watch brings us back when a replica is ready.
		return ctrl.Result{RequeueAfter: jitter(interval)}, nil
	}
	conditions.MarkReady(p, fmt.Sprintf("WhatsApp Business Account %q (%s): credentials valid, app subscribed, %d phone number(s), webhook server ready",
		p.Status.BusinessAccountName, p.Spec.BusinessAccountID, len(phones)))
	return ctrl.Result{RequeueAfter: jitter(interval)}, nil
}

// checkCredentials proves the token reaches the WABA (a cheap GET of the
// WABA: debug_token's granular scopes are no longer reliable) and, with
// spec.appID, inspects the token for expiry, owning app and scopes. ok is
// false when the reconcile must stop with res, err.
func (r *MetaProviderReconciler) checkCredentials(ctx context.Context, p *whatsappv1alpha1.MetaProvider, gc *graph.Client, creds *credentials, interval time.Duration) (ctrl.Result, error, bool) {
	acct, err := gc.GetBusinessAccount(ctx, p.Spec.BusinessAccountID)
	if err != nil {
		r.markCredentialsFailure(p, err)
		if graph.Classify(err) == graph.ClassNotFound {
			msg := fmt.Sprintf("WhatsApp Business Account %s is not visible to the token: check spec.businessAccountID and that the WABA is assigned to the token's system user. %s", p.Spec.BusinessAccountID, graph.Describe(err))
			conditions.Set(p, whatsappv1alpha1.ConditionCredentialsValid, metav1.ConditionFalse, whatsappv1alpha1.ReasonMissingPermission, msg)
			conditions.MarkStalled(p, whatsappv1alpha1.ReasonMissingPermission, msg)
			return ctrl.Result{RequeueAfter: jitter(interval)}, nil, false
		}
		res, err := graphFailure(p, err, whatsappv1alpha1.ReasonMissingPermission, interval)
		return res, err, false
	}
	p.Status.BusinessAccountName = acct.Name

	reason, message := whatsappv1alpha1.ReasonSucceeded, fmt.Sprintf("the token reaches WhatsApp Business Account %s", p.Spec.BusinessAccountID)
	if p.Spec.AppID != "" {
		info, err := gc.DebugToken(ctx, p.Spec.AppID, creds.AppSecret)
		if err != nil {
			r.markCredentialsFailure(p, err)
			res, err := graphFailure(p, err, whatsappv1alpha1.ReasonInvalidCredentials, interval)
			return res, err, false
		}
		if stallReason, msg := judgeToken(p, info); stallReason != "" {
			conditions.Set(p, whatsappv1alpha1.ConditionCredentialsValid, metav1.ConditionFalse, stallReason, msg)
			conditions.MarkStalled(p, stallReason, msg)
			return ctrl.Result{RequeueAfter: jitter(interval)}, nil, false
		}
		p.Status.TokenExpiresAt = nil
		if !info.ExpiresAt.IsZero() {
			t := metav1.NewTime(info.ExpiresAt)
			p.Status.TokenExpiresAt = &t
			if left := info.ExpiresAt.Sub(r.now()); left < tokenExpiryWarning {
				reason = whatsappv1alpha1.ReasonTokenExpiringSoon
				message = fmt.Sprintf("the token works but expires at %s (in %s): put a new system-user token in Secret %s",
					info.ExpiresAt.UTC().Format(time.RFC3339), left.Round(time.Minute), p.Spec.CredentialsSecretRef.Name)
			}
		}
	}
	was := conditions.Get(p, whatsappv1alpha1.ConditionCredentialsValid)
	if reason == whatsappv1alpha1.ReasonTokenExpiringSoon && (was == nil || was.Reason != reason) {
		r.event(p, false, reason, message)
	}
	conditions.Set(p, whatsappv1alpha1.ConditionCredentialsValid, metav1.ConditionTrue, reason, message)
	return ctrl.Result{}, nil, true
}

// judgeToken reads debug_token's answer; a non-empty reason means Stalled.
func judgeToken(p *whatsappv1alpha1.MetaProvider, info *graph.TokenInfo) (string, string) {
	if !info.IsValid {
		return whatsappv1alpha1.ReasonInvalidCredentials, fmt.Sprintf("Meta's debug_token says the access token in Secret %s is not valid (expired, revoked or from another app): put a new system-user token there", p.Spec.CredentialsSecretRef.Name)
	}
	if info.AppID != "" && info.AppID != p.Spec.AppID {
		return whatsappv1alpha1.ReasonAppMismatch, fmt.Sprintf("the access token belongs to app %s but spec.appID is %s: use a token of app %s or fix spec.appID", info.AppID, p.Spec.AppID, p.Spec.AppID)
	}
	if missing := info.MissingScopes(graph.ScopeWhatsAppManagement, graph.ScopeWhatsAppMessaging); len(missing) > 0 {
		return whatsappv1alpha1.ReasonMissingPermission, fmt.Sprintf("the access token lacks the permission(s) %s: grant them to the system user and generate a new token", strings.Join(missing, ", "))
	}
	return "", ""
}

// markCredentialsFailure sets CredentialsValid=False only for failures that
// say something about the credentials; a timeout says nothing about them.
func (r *MetaProviderReconciler) markCredentialsFailure(p *whatsappv1alpha1.MetaProvider, err error) {
	switch graph.Classify(err) {
	case graph.ClassBadCredentials:
		conditions.Set(p, whatsappv1alpha1.ConditionCredentialsValid, metav1.ConditionFalse, whatsappv1alpha1.ReasonInvalidCredentials, graph.Describe(err))
	case graph.ClassPermission:
		conditions.Set(p, whatsappv1alpha1.ConditionCredentialsValid, metav1.ConditionFalse, whatsappv1alpha1.ReasonMissingPermission, graph.Describe(err))
	}
}

// ensureSubscribed makes sure the app is subscribed to the WABA, with the
// callback override when spec.webhook.publicURL is set. Without the
// subscription Meta's handshake works and no message ever arrives.
func (r *MetaProviderReconciler) ensureSubscribed(ctx context.Context, p *whatsappv1alpha1.MetaProvider, gc *graph.Client, creds *credentials, webhookReady bool, interval time.Duration) (ctrl.Result, error, bool) {
	// The finalizer goes on after the first successful read and before any
	// change at Meta: this provider now shares in the subscription, and the
	// last provider of a WABA and app to go unsubscribes it.
	if !controllerutil.ContainsFinalizer(p, whatsappv1alpha1.Finalizer) {
		if err := r.addFinalizer(ctx, p); err != nil {
			return ctrl.Result{}, err, false
		}
	}
	apps, err := gc.ListSubscribedApps(ctx, p.Spec.BusinessAccountID)
	if err != nil {
		res, err := graphFailure(p, err, whatsappv1alpha1.ReasonGraphAPIError, interval)
		return res, err, false
	}
	publicURL := ""
	if p.Spec.Webhook != nil {
		publicURL = p.Spec.Webhook.PublicURL
	}
	if subscribed, msg := subscriptionHolds(p, apps, publicURL); subscribed {
		conditions.Set(p, whatsappv1alpha1.ConditionAppSubscribed, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded, msg)
		return ctrl.Result{}, nil, true
	}
	var override *graph.CallbackOverride
	if publicURL != "" {
		if !webhookReady {
			msg := fmt.Sprintf("waiting for the webhook server before registering %s: Meta verifies a callback override the moment it is set", publicURL)
			conditions.Set(p, whatsappv1alpha1.ConditionAppSubscribed, metav1.ConditionFalse, whatsappv1alpha1.ReasonWaitingForWebhook, msg)
			conditions.MarkReconciling(p, whatsappv1alpha1.ReasonWaitingForWebhook, msg)
			return ctrl.Result{RequeueAfter: jitter(interval)}, nil, false
		}
		override = &graph.CallbackOverride{URL: publicURL, VerifyToken: creds.VerifyToken}
	}
	if err := gc.SubscribeApp(ctx, p.Spec.BusinessAccountID, override); err != nil {
		conditions.Set(p, whatsappv1alpha1.ConditionAppSubscribed, metav1.ConditionFalse, whatsappv1alpha1.ReasonNotSubscribed, graph.Describe(err))
		res, err := graphFailure(p, err, whatsappv1alpha1.ReasonNotSubscribed, interval)
		return res, err, false
	}
	msg := fmt.Sprintf("subscribed the app to WhatsApp Business Account %s", p.Spec.BusinessAccountID)
	if override != nil {
		msg += " with callback " + publicURL
	}
	r.event(p, true, "Subscribed", msg)
	conditions.Set(p, whatsappv1alpha1.ConditionAppSubscribed, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded, msg)
	return ctrl.Result{}, nil, true
}

// subscriptionHolds tells whether the WABA's subscribed apps already hold
// what the spec asks for. With spec.appID it looks for our app (another
// app, e.g. a BSP's, does not count); without it any subscription counts.
func subscriptionHolds(p *whatsappv1alpha1.MetaProvider, apps []graph.SubscribedApp, publicURL string) (bool, string) {
	if p.Spec.AppID == "" {
		if len(apps) == 0 {
			return false, ""
		}
		return true, fmt.Sprintf("%d app(s) subscribed to the WABA; set spec.appID so the operator can check that yours is one of them", len(apps))
	}
	for _, a := range apps {
		if a.AppID != p.Spec.AppID {
			continue
		}
		// The override must be exactly what the spec asks for: a stale one
		// (spec.webhook.publicURL removed or changed) would send messages
		// to a server that no longer answers.
		if a.OverrideCallbackURI != publicURL {
			return false, ""
		}
		msg := fmt.Sprintf("app %s is subscribed to WhatsApp Business Account %s", p.Spec.AppID, p.Spec.BusinessAccountID)
		if publicURL != "" {
			msg += " with callback " + publicURL
		}
		return true, msg
	}
	return false, ""
}

func webhookWaitMessage(wr webhookresources.Result) string {
	if wr.Message != "" {
		return fmt.Sprintf("waiting for webhook server %s: %s", wr.ServiceName, wr.Message)
	}
	return fmt.Sprintf("waiting for webhook server %s: %d/%d replicas ready", wr.ServiceName, wr.ReadyReplicas, wr.DesiredReplicas)
}

func ignoreNotFound(err error) error {
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
