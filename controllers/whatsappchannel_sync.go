package controllers

import (
	"context"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// chatbotRecheck is how soon a channel whose chatbot Service is missing
// looks again (Services are not watched: the operator does not cache every
// Service of the cluster).
const chatbotRecheck = time.Minute

// Reconcile brings one WhatsAppChannel to its spec.
func (r *WhatsAppChannelReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	ch := &whatsappv1alpha1.WhatsAppChannel{}
	if err := r.client.Get(ctx, req.NamespacedName, ch); err != nil {
		if apierrors.IsNotFound(err) {
			r.profiles.forget(req.String())
		}
		return ctrl.Result{}, ignoreNotFound(err)
	}
	if !ch.DeletionTimestamp.IsZero() {
		// Nothing to undo at Meta: the number stays in the WABA.
		return ctrl.Result{}, nil
	}
	before := ch.DeepCopy()
	conditions.MarkSeen(ch)
	res, err := r.sync(ctx, ch)
	if serr := r.finishStatus(ctx, ch, before, err); serr != nil && err == nil {
		err = serr
	}
	return res, err
}

func (r *WhatsAppChannelReconciler) sync(ctx context.Context, ch *whatsappv1alpha1.WhatsAppChannel) (ctrl.Result, error) {
	p, creds, ok, err := r.readyProvider(ctx, ch, ch.Spec.ProviderRef.Name)
	if !ok {
		return ctrl.Result{}, err
	}
	interval := syncInterval(p)

	if holder, err := r.numberHolder(ctx, ch); err != nil {
		return ctrl.Result{}, err
	} else if holder != "" {
		msg := fmt.Sprintf("phone number %s is already bound to WhatsAppChannel %s: delete one of the two channels (this one is left alone until then)", ch.Spec.PhoneNumber, holder)
		clearNumber(ch)
		conditions.Set(ch, whatsappv1alpha1.ConditionRouted, metav1.ConditionFalse, whatsappv1alpha1.ReasonConflict, msg)
		conditions.MarkStalled(ch, whatsappv1alpha1.ReasonConflict, msg)
		return ctrl.Result{}, nil
	}

	gc := r.graphClient(p, creds)
	phones, err := r.listings.phoneNumbers(ctx, gc, p.Spec.BusinessAccountID, r.listingAge(ch, interval))
	if err != nil {
		return graphFailure(ch, err, whatsappv1alpha1.ReasonGraphAPIError, interval)
	}
	number := findNumber(phones, ch.Spec.PhoneNumber)
	if number == nil {
		msg := fmt.Sprintf("phone number %s is not among the %d phone number(s) of WhatsApp Business Account %s%s: add it in WhatsApp Manager, or fix spec.phoneNumber",
			ch.Spec.PhoneNumber, len(phones), p.Spec.BusinessAccountID, listNumbers(phones))
		clearNumber(ch)
		conditions.Set(ch, whatsappv1alpha1.ConditionPhoneNumberVerified, metav1.ConditionFalse, whatsappv1alpha1.ReasonPhoneNumberNotFound, msg)
		conditions.MarkStalled(ch, whatsappv1alpha1.ReasonPhoneNumberNotFound, msg)
		return ctrl.Result{RequeueAfter: jitter(interval)}, nil
	}
	r.recordNumber(ch, number)

	routed, routeMsg, err := r.checkChatbot(ctx, ch)
	if err != nil {
		return ctrl.Result{}, err
	}
	if routed {
		conditions.Set(ch, whatsappv1alpha1.ConditionRouted, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded, routeMsg)
	} else {
		conditions.Set(ch, whatsappv1alpha1.ConditionRouted, metav1.ConditionFalse, whatsappv1alpha1.ReasonChatbotNotFound, routeMsg)
	}

	if res, err, ok := r.syncProfile(ctx, ch, gc, interval); !ok {
		return res, err
	}

	if !routed {
		conditions.MarkReconciling(ch, whatsappv1alpha1.ReasonChatbotNotFound, routeMsg)
		return ctrl.Result{RequeueAfter: chatbotRecheck}, nil
	}
	conditions.MarkReady(ch, fmt.Sprintf("%s (%s, id %s) routes to %s", ch.Spec.PhoneNumber, ch.Status.VerifiedName, ch.Status.PhoneNumberID, chatbotTarget(ch)))
	return ctrl.Result{RequeueAfter: jitter(interval)}, nil
}

// findNumber matches an E.164 number against Meta's display numbers,
// digits only ("+1 202-555-0123" is +12025550123).
func findNumber(phones []graph.PhoneNumber, e164 string) *graph.PhoneNumber {
	for i := range phones {
		if phones[i].Matches(e164) {
			return &phones[i]
		}
	}
	return nil
}

// listNumbers names a few of the WABA's numbers, to spot a typo.
func listNumbers(phones []graph.PhoneNumber) string {
	if len(phones) == 0 {
		return ""
	}
	var shown []string
	for i, p := range phones {
		if i == 5 {
			shown = append(shown, "...")
			break
		}
		shown = append(shown, p.DisplayPhoneNumber)
	}
	return " (" + strings.Join(shown, ", ") + ")"
}

// recordNumber copies Meta's view of the number into status, with an Event
// when the quality rating drops.
func (r *WhatsAppChannelReconciler) recordNumber(ch *whatsappv1alpha1.WhatsAppChannel, n *graph.PhoneNumber) {
	if dropped(ch.Status.QualityRating, n.QualityRating) {
		r.event(ch, false, "QualityDropped", fmt.Sprintf("quality rating of %s dropped from %s to %s: check recent complaints and template quality in WhatsApp Manager", ch.Spec.PhoneNumber, ch.Status.QualityRating, n.QualityRating))
	}
	ch.Status.PhoneNumberID = n.ID
	ch.Status.DisplayPhoneNumber = n.DisplayPhoneNumber
	ch.Status.VerifiedName = n.VerifiedName
	ch.Status.CodeVerificationStatus = n.CodeVerificationStatus
	ch.Status.QualityRating = n.QualityRating
	ch.Status.MessagingLimitTier = n.MessagingLimitTier
	msg := fmt.Sprintf("%s is number %s of the WABA", ch.Spec.PhoneNumber, n.ID)
	if n.CodeVerificationStatus != "" {
		msg += ", code verification " + n.CodeVerificationStatus
	}
	conditions.Set(ch, whatsappv1alpha1.ConditionPhoneNumberVerified, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded, msg)
}

// clearNumber withdraws the number's id from status: the webhook server
// routes by it, so a channel that does not hold the number must not show it.
func clearNumber(ch *whatsappv1alpha1.WhatsAppChannel) {
	ch.Status.PhoneNumberID = ""
	ch.Status.DisplayPhoneNumber = ""
	ch.Status.VerifiedName = ""
	ch.Status.CodeVerificationStatus = ""
	ch.Status.QualityRating = ""
	ch.Status.MessagingLimitTier = ""
}

var qualityRank = map[string]int{"GREEN": 3, "YELLOW": 2, "RED": 1}

// dropped tells whether a quality rating got worse (GREEN → YELLOW → RED).
func dropped(from, to string) bool {
	a, ok1 := qualityRank[from]
	b, ok2 := qualityRank[to]
	return ok1 && ok2 && b < a
}

func chatbotTarget(ch *whatsappv1alpha1.WhatsAppChannel) string {
	if ch.Spec.Chatbot.URL != "" {
		return ch.Spec.Chatbot.URL
	}
	ref := ch.Spec.Chatbot.ServiceRef
	return fmt.Sprintf("Service %s port %s path %s", ref.Name, ref.Port.String(), ch.Spec.Chatbot.Path)
}
