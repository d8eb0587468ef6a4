package controllers

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
)

// chatbotRecheck is how soon a channel whose chatbot Service is missing
// looks again (Services are not watched: the operator does not cache every
// Service of the cluster).
const chatbotRecheck = time.Minute

// Reconcile brings one WhatsAppChannel to its spec.
func (r *WhatsAppChannelReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return reconcileObject(ctx, r.base, req, &whatsappv1alpha1.WhatsAppChannel{}, r)
}

// channelSync is one reconcile of a WhatsAppChannel: what its steps share.
type channelSync struct {
	*WhatsAppChannelReconciler
	*session
	ch *whatsappv1alpha1.WhatsAppChannel
}

// sync runs the channel's steps in order: its provider, the number at
// Meta, its claim on the number (only a verified channel can hold one
// against another), the chatbot target, the number's registration, the
// business profile.
func (r *WhatsAppChannelReconciler) sync(ctx context.Context, ch *whatsappv1alpha1.WhatsAppChannel) (ctrl.Result, error) {
	sess, err := r.openSession(ctx, ch, ch.Spec.ProviderRef.Name)
	if err != nil {
		return ctrl.Result{}, err
	}
	s := &channelSync{WhatsAppChannelReconciler: r, session: sess, ch: ch}

	number, err := s.findNumber(ctx)
	if err != nil {
		return ctrl.Result{}, err
	}
	if err := s.claimNumber(ctx); err != nil {
		return ctrl.Result{}, err
	}
	routed, routeMsg, err := r.checkChatbot(ctx, ch)
	if err != nil {
		return ctrl.Result{}, err
	}
	if routed {
		conditions.Set(ch, whatsappv1alpha1.ConditionRouted, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded, routeMsg)
	} else {
		conditions.Set(ch, whatsappv1alpha1.ConditionRouted, metav1.ConditionFalse, whatsappv1alpha1.ReasonChatbotNotFound, routeMsg)
	}
	if err := s.register(ctx, number); err != nil {
		return ctrl.Result{}, err
	}
	if err := s.syncProfile(ctx); err != nil {
		return ctrl.Result{}, err
	}
	if !routed {
		return ctrl.Result{}, &retryLater{reason: whatsappv1alpha1.ReasonChatbotNotFound, message: routeMsg, after: chatbotRecheck}
	}
	conditions.MarkReady(ch, fmt.Sprintf("%s (%s, id %s) routes to %s", ch.Spec.PhoneNumber, ch.Status.VerifiedName, ch.Status.PhoneNumberID, chatbotTarget(ch)))
	return ctrl.Result{RequeueAfter: jitter(s.interval)}, nil
}

// finalize has nothing to undo at Meta: the number stays in the WABA.
func (r *WhatsAppChannelReconciler) finalize(context.Context, *whatsappv1alpha1.WhatsAppChannel) (ctrl.Result, error) {
	return ctrl.Result{}, nil
}

// forget drops the profile check remembered for a channel that is gone.
func (r *WhatsAppChannelReconciler) forget(req ctrl.Request) { r.profiles.forget(req.NamespacedName) }
