package controllers

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// ensureSubscribed makes sure the app is subscribed to the WABA, with the
// callback override when spec.webhook.publicURL is set. Without the
// subscription Meta's handshake works and no message ever arrives. Its
// verdict is the AppSubscribed condition.
func (s *providerSync) ensureSubscribed(ctx context.Context) error {
	p := s.p
	// The finalizer goes on after the first successful read and before any
	// change at Meta: this provider now shares in the subscription, and the
	// last provider of a WABA and app to go unsubscribes it.
	if !controllerutil.ContainsFinalizer(p, whatsappv1alpha1.Finalizer) {
		if err := s.addFinalizer(ctx, p); err != nil {
			return err
		}
	}
	apps, err := s.graph.ListSubscribedApps(ctx, p.Spec.BusinessAccountID)
	if err != nil {
		return graphOutcome(err, graphCall{interval: s.interval, refusal: whatsappv1alpha1.ReasonGraphAPIError})
	}
	publicURL := ""
	if p.Spec.Webhook != nil {
		publicURL = p.Spec.Webhook.PublicURL
	}
	fingerprint := callbackFingerprint(publicURL, s.creds)
	if subscribed, msg := subscriptionHolds(p, apps, publicURL, fingerprint); subscribed {
		p.Status.Webhook.CallbackFingerprint = fingerprint
		conditions.Set(p, whatsappv1alpha1.ConditionAppSubscribed, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded, msg)
		return nil
	}
	var override *graph.CallbackOverride
	if publicURL != "" {
		if !s.webhook.Ready {
			msg := fmt.Sprintf("waiting for the webhook server before registering %s: Meta verifies a callback override the moment it is set", publicURL)
			conditions.Set(p, whatsappv1alpha1.ConditionAppSubscribed, metav1.ConditionFalse, whatsappv1alpha1.ReasonWaitingForWebhook, msg)
			return &retryLater{reason: whatsappv1alpha1.ReasonWaitingForWebhook, message: msg, after: jitter(s.interval)}
		}
		override = &graph.CallbackOverride{URL: publicURL, VerifyToken: s.creds.VerifyToken}
	}
	if err := s.graph.SubscribeApp(ctx, p.Spec.BusinessAccountID, override); err != nil {
		conditions.Set(p, whatsappv1alpha1.ConditionAppSubscribed, metav1.ConditionFalse, whatsappv1alpha1.ReasonNotSubscribed, graph.Describe(err))
		return graphOutcome(err, graphCall{interval: s.interval, refusal: whatsappv1alpha1.ReasonNotSubscribed})
	}
	msg := fmt.Sprintf("subscribed the app to WhatsApp Business Account %s", p.Spec.BusinessAccountID)
	if override != nil {
		msg += " with callback " + publicURL
	}
	p.Status.Webhook.CallbackFingerprint = fingerprint
	s.event(p, true, "Subscribed", msg)
	conditions.Set(p, whatsappv1alpha1.ConditionAppSubscribed, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded, msg)
	return nil
}

// subscriptionHolds tells whether the WABA's subscribed apps already hold
// what the spec asks for. With spec.appID it looks for our app (another
// app, e.g. a BSP's, does not count); without it any subscription counts.
// A callback override holds only with the verify token registered last
// (fingerprint): Meta does not echo the token.
func subscriptionHolds(p *whatsappv1alpha1.MetaProvider, apps []graph.SubscribedApp, publicURL, fingerprint string) (bool, string) {
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
		if a.OverrideCallbackURI != publicURL || (publicURL != "" && (p.Status.Webhook == nil || p.Status.Webhook.CallbackFingerprint != fingerprint)) {
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
