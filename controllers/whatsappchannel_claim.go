package controllers

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// claimNumber refuses the number when an older channel holds it: the
// channel waits, without the number's id, until one of the two is deleted
// (the watch on channels of the same number brings it back).
func (s *channelSync) claimNumber(ctx context.Context) error {
	ch := s.ch
	holder, err := s.numberHolder(ctx, ch)
	if err != nil || holder == "" {
		return err
	}
	msg := fmt.Sprintf("phone number %s is already bound to WhatsAppChannel %s: delete one of the two channels (this one is left alone until then)", ch.Spec.PhoneNumber, holder)
	clearNumber(ch)
	conditions.Set(ch, whatsappv1alpha1.ConditionRouted, metav1.ConditionFalse, whatsappv1alpha1.ReasonConflict, msg)
	return &waitForUser{reason: whatsappv1alpha1.ReasonConflict, message: msg}
}

// numberHolder returns "namespace/name" of another channel that holds the
// same phone number, or "": the oldest claimant still able to hold it.
func (r *WhatsAppChannelReconciler) numberHolder(ctx context.Context, ch *whatsappv1alpha1.WhatsAppChannel) (string, error) {
	var list whatsappv1alpha1.WhatsAppChannelList
	if err := r.client.List(ctx, &list, client.MatchingFields{indexPhoneDigits: graph.Digits(ch.Spec.PhoneNumber)}); err != nil {
		return "", err
	}
	if o := olderClaimant(ch, list.Items, holdsNumber); o != nil {
		return o.Namespace + "/" + o.Name, nil
	}
	return "", nil
}

// holdsNumber tells whether a channel can hold its number against a
// younger one: not one that found no such number in its WABA (another
// tenant's typo must not block a working channel), nor one that is itself
// a duplicate.
func holdsNumber(o *whatsappv1alpha1.WhatsAppChannel) bool {
	stalled := conditions.Get(o, whatsappv1alpha1.ConditionStalled)
	return stalled == nil || (stalled.Reason != whatsappv1alpha1.ReasonPhoneNumberNotFound && stalled.Reason != whatsappv1alpha1.ReasonConflict)
}
