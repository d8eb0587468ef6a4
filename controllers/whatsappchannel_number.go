package controllers

import (
	"context"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// findNumber looks the channel's number up in the WABA's shared phone
// listing and records Meta's view of it. A number missing from the listing
// may have been added at Meta after it was read: the listing is read again
// first (at most once per WABA per NumberRecheckAge, shared by every
// channel), and a number still missing waits for the user, re-checked
// after the time it has been missing (at least a minute, at most the
// interval).
func (s *channelSync) findNumber(ctx context.Context) (*graph.PhoneNumber, error) {
	ch := s.ch
	phones, err := s.listings.phoneNumbers(ctx, s.graph, s.waba, s.listingAge(ch, s.interval))
	if err != nil {
		return nil, s.graphOutcome(err, whatsappv1alpha1.ReasonGraphAPIError)
	}
	number := matchNumber(phones, ch.Spec.PhoneNumber)
	if number == nil {
		if phones, err = s.listings.phoneNumbers(ctx, s.graph, s.waba, s.opts.NumberRecheckAge); err != nil {
			return nil, s.graphOutcome(err, whatsappv1alpha1.ReasonGraphAPIError)
		}
		number = matchNumber(phones, ch.Spec.PhoneNumber)
	}
	if number == nil {
		msg := fmt.Sprintf("phone number %s is not among the %d phone number(s) of WhatsApp Business Account %s%s: add it in WhatsApp Manager, or fix spec.phoneNumber",
			ch.Spec.PhoneNumber, len(phones), s.waba, listNumbers(phones))
		clearNumber(ch)
		conditions.Set(ch, whatsappv1alpha1.ConditionPhoneNumberVerified, metav1.ConditionFalse, whatsappv1alpha1.ReasonPhoneNumberNotFound, msg)
		return nil, &waitForUser{reason: whatsappv1alpha1.ReasonPhoneNumberNotFound, message: msg, recheck: jitter(s.missingNumberRecheck())}
	}
	s.recordNumber(ch, number)
	return number, nil
}

// missingNumberRecheck is how soon a channel whose number is missing looks
// again: as long as it has been missing, at least a minute and at most the
// interval, so a number added at Meta a moment later is found soon and a
// typo costs a few listings, not one a minute.
func (s *channelSync) missingNumberRecheck() time.Duration {
	missing := time.Duration(0)
	if c := conditions.Get(s.ch, whatsappv1alpha1.ConditionPhoneNumberVerified); c != nil && c.Reason == whatsappv1alpha1.ReasonPhoneNumberNotFound {
		missing = s.now().Sub(c.LastTransitionTime.Time)
	}
	return min(max(missing, time.Minute), s.interval)
}

// matchNumber matches an E.164 number against Meta's display numbers,
// digits only ("+1 202-555-0123" is +12025550123).
func matchNumber(phones []graph.PhoneNumber, e164 string) *graph.PhoneNumber {
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
// when the quality rating drops and when the messaging limit tier changes.
func (r *WhatsAppChannelReconciler) recordNumber(ch *whatsappv1alpha1.WhatsAppChannel, n *graph.PhoneNumber) {
	if dropped(ch.Status.QualityRating, n.QualityRating) {
		r.event(ch, false, "QualityDropped", fmt.Sprintf("quality rating of %s dropped from %s to %s: check recent complaints and template quality in WhatsApp Manager", ch.Spec.PhoneNumber, ch.Status.QualityRating, n.QualityRating))
	}
	if from, to := ch.Status.MessagingLimitTier, n.MessagingLimitTier; from != "" && to != "" && from != to {
		// A tier this operator does not know (Meta adds some) is news,
		// neither good nor bad.
		what, good := "changed", true
		if a, b := tierLimit(from), tierLimit(to); a > 0 && b > 0 {
			what, good = "rose", b > a
			if !good {
				what = "fell"
			}
		}
		r.event(ch, good, "TierChanged", fmt.Sprintf("messaging limit tier of %s %s from %s to %s (business-initiated conversations with unique users per 24 hours)", ch.Spec.PhoneNumber, what, from, to))
	}
	ch.Status.PhoneNumberID = n.ID
	ch.Status.DisplayPhoneNumber = n.DisplayPhoneNumber
	ch.Status.VerifiedName = n.VerifiedName
	ch.Status.CodeVerificationStatus = n.CodeVerificationStatus
	ch.Status.QualityRating = n.QualityRating
	ch.Status.MessagingLimitTier = n.MessagingLimitTier
	ch.Status.NameStatus = n.NameStatus
	ch.Status.NumberStatus = n.Status
	ch.Status.PlatformType = n.PlatformType
	ch.Status.ThroughputLevel = n.ThroughputLevel
	ch.Status.AccountMode = n.AccountMode
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
	ch.Status.NameStatus = ""
	ch.Status.NumberStatus = ""
	ch.Status.PlatformType = ""
	ch.Status.ThroughputLevel = ""
	ch.Status.AccountMode = ""
}

var qualityRank = map[string]int{"GREEN": 3, "YELLOW": 2, "RED": 1}

// dropped tells whether a quality rating got worse (GREEN → YELLOW → RED).
func dropped(from, to string) bool {
	a, ok1 := qualityRank[from]
	b, ok2 := qualityRank[to]
	return ok1 && ok2 && b < a
}
