package controllers

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// claimNumber refuses the number when an older channel holds it: the
// channel waits, without the number's id, until the holder is deleted or
// can no longer hold it (the watch on channels of the same number brings
// it back; the interval re-checks it too).
//
// It runs after findNumber, so this channel is itself verified: its
// provider is Ready and the number is in its WABA with the id now in
// status. Only a channel verified the same way can hold the number against
// it (see holdsVerifiedNumber): anyone may create a channel for any number
// in their own namespace, but only one whose provider's credentials reach
// the number's WABA can keep it from another.
func (s *channelSync) claimNumber(ctx context.Context) error {
	ch := s.ch
	holder, err := s.numberHolder(ctx)
	if err != nil || holder == nil {
		return err
	}
	msg := fmt.Sprintf("phone number %s is already bound to %s: delete one of the two channels (this one is left alone until then)", ch.Spec.PhoneNumber, describeHolder(ch, holder))
	clearNumber(ch)
	conditions.Set(ch, whatsappv1alpha1.ConditionPhoneNumberVerified, metav1.ConditionFalse, whatsappv1alpha1.ReasonConflict, msg)
	conditions.Set(ch, whatsappv1alpha1.ConditionRouted, metav1.ConditionFalse, whatsappv1alpha1.ReasonConflict, msg)
	return &waitForUser{reason: whatsappv1alpha1.ReasonConflict, message: msg, recheck: jitter(s.interval)}
}

// describeHolder names the holder for ch's conflict message: by name in
// ch's own namespace, never by name in another one (a tenant must not learn
// what other namespaces hold).
func describeHolder(ch, holder *whatsappv1alpha1.WhatsAppChannel) string {
	if holder.Namespace == ch.Namespace {
		return "WhatsAppChannel " + holder.Namespace + "/" + holder.Name
	}
	return "a WhatsAppChannel in another namespace, verified against the same WhatsApp Business Account (ask your cluster's administrators)"
}

// numberHolder returns another channel that holds this channel's number:
// the oldest claimant, among those verified against the same WABA, or nil.
func (s *channelSync) numberHolder(ctx context.Context) (*whatsappv1alpha1.WhatsAppChannel, error) {
	ch := s.ch
	var list whatsappv1alpha1.WhatsAppChannelList
	if err := s.client.List(ctx, &list, client.MatchingFields{indexPhoneDigits: graph.Digits(ch.Spec.PhoneNumber)}); err != nil {
		return nil, err
	}
	verified := make([]whatsappv1alpha1.WhatsAppChannel, 0, len(list.Items))
	for _, o := range list.Items {
		if o.UID == ch.UID || !holdsVerifiedNumber(&o, ch.Status.PhoneNumberID) {
			continue
		}
		ok, err := s.providerReachesWABA(ctx, &o)
		if err != nil {
			return nil, err
		}
		if ok {
			verified = append(verified, o)
		}
	}
	return olderClaimant(ch, verified, func(*whatsappv1alpha1.WhatsAppChannel) bool { return true }), nil
}

// holdsVerifiedNumber tells whether a channel's own status says it holds
// the number with Meta's id phoneNumberID. A status is only a claim
// (whoever may write it could forge it), which is why numberHolder also
// checks the channel's provider as it is now. (The condition's generation
// is not compared: spec.phoneNumber is immutable, and a holder whose spec
// was just edited must not lose its number until it is reconciled.)
func holdsVerifiedNumber(o *whatsappv1alpha1.WhatsAppChannel, phoneNumberID string) bool {
	if phoneNumberID == "" || o.Status.PhoneNumberID != phoneNumberID {
		return false
	}
	if !conditions.IsTrue(o, whatsappv1alpha1.ConditionPhoneNumberVerified) {
		return false
	}
	stalled := conditions.Get(o, whatsappv1alpha1.ConditionStalled)
	return stalled == nil || stalled.Reason != whatsappv1alpha1.ReasonConflict
}

// providerReachesWABA tells whether o's provider exists, is Ready (its
// token reaches its WABA) and is for the WABA this reconcile found the
// number in. A phone number belongs to one WABA, so a channel verified
// against it holds the number; one whose provider is missing, not Ready or
// for another WABA proves nothing.
func (s *channelSync) providerReachesWABA(ctx context.Context, o *whatsappv1alpha1.WhatsAppChannel) (bool, error) {
	p, err := s.getProvider(ctx, o.Namespace, o.Spec.ProviderRef.Name)
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return p.DeletionTimestamp.IsZero() && conditions.IsTrue(p, whatsappv1alpha1.ConditionReady) && p.Spec.BusinessAccountID == s.waba, nil
}
