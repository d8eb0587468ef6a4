package controllers

import (
	"context"
	"errors"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// Backoff between register attempts after a transient failure: Meta allows
// 10 attempts per number in 72 hours, so they are never spent in a loop.
const (
	registerBackoffBase = time.Minute
	registerBackoffMax  = time.Hour
)

// register makes sure the number is registered on the Cloud API, the last
// step of a new number's journey (docs/number-journey.md): Meta reviews
// its display name, then the number is registered with its two-step PIN,
// exactly once per need. Its verdict is the Registered condition.
func (s *channelSync) register(ctx context.Context, n *graph.PhoneNumber) error {
	ch := s.ch
	if n.Registered() {
		ch.Status.Registration = nil
		conditions.Set(ch, whatsappv1alpha1.ConditionRegistered, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded, registeredMessage(ch))
		return nil
	}
	if err := s.nameApproved(n); err != nil {
		return s.notRegistered(err)
	}
	if ch.Spec.Registration == nil {
		return s.notRegistered(&waitForUser{reason: whatsappv1alpha1.ReasonNotRegistered, recheck: jitter(s.interval),
			message: fmt.Sprintf("%s is not registered on the Cloud API (platform %s), so Meta neither delivers nor sends its messages: "+
				"set spec.registration.pinSecretRef to a Secret key holding a six-digit two-step verification PIN and the operator registers it, "+
				"or register it yourself with POST /%s/register and the body {\"messaging_product\":\"whatsapp\",\"pin\":\"<six digits>\"}",
				ch.Spec.PhoneNumber, orUnknown(n.PlatformType), n.ID)})
	}
	if err := s.attemptAllowed(); err != nil {
		return err
	}
	pin, version, err := s.readPIN(ctx)
	if err != nil {
		return s.notRegistered(err)
	}
	if err := s.pinRefusedBefore(version); err != nil {
		return err
	}
	// A fresh look right before the call: the listing may lag a
	// registration that an earlier attempt, whose answer was lost, made.
	live, err := s.graph.GetPhoneNumber(ctx, n.ID)
	if err != nil {
		return s.notRegistered(s.graphOutcome(err, whatsappv1alpha1.ReasonGraphAPIError))
	}
	if live.Registered() {
		s.registered(live)
		return nil
	}
	return s.callRegister(ctx, live, pin, version)
}

// nameApproved returns nil when Meta approved the display name, else the
// outcome that says what the number waits for.
func (s *channelSync) nameApproved(n *graph.PhoneNumber) error {
	number := s.ch.Spec.PhoneNumber
	switch {
	case n.NameApproved():
		return nil
	case n.NameStatus == graph.NameStatusPendingReview:
		return &retryLater{reason: whatsappv1alpha1.ReasonNameInReview, after: jitter(s.interval),
			message: fmt.Sprintf("Meta is reviewing the display name %q of %s (name_status PENDING_REVIEW; usually 2 to 3 hours after the number was added): the number is registered once the name is approved",
				n.VerifiedName, number)}
	case n.NameStatus == graph.NameStatusDeclined:
		return &waitForUser{reason: whatsappv1alpha1.ReasonNameDeclined, recheck: jitter(s.interval),
			message: fmt.Sprintf("Meta declined the display name %q of %s (name_status DECLINED): choose a name that follows Meta's display name guidelines and submit it in WhatsApp Manager; the number is registered once a name is approved",
				n.VerifiedName, number)}
	}
	return &waitForUser{reason: whatsappv1alpha1.ReasonNameNotApproved, recheck: jitter(s.interval),
		message: fmt.Sprintf("%s has no approved display name (name_status %s): request one in WhatsApp Manager; the number is registered once it is approved",
			number, orUnknown(n.NameStatus))}
}

// attemptAllowed returns the outcome of the last failure while its wait
// (Meta's attempt limit, a transient failure's backoff) runs.
func (s *channelSync) attemptAllowed() error {
	reg := s.ch.Status.Registration
	if reg == nil || reg.NextAttemptTime == nil {
		return nil
	}
	wait := reg.NextAttemptTime.Sub(s.now())
	if wait <= 0 {
		return nil
	}
	c := conditions.Get(s.ch, whatsappv1alpha1.ConditionRegistered)
	if c == nil || c.Status != metav1.ConditionFalse {
		return nil
	}
	if c.Reason == whatsappv1alpha1.ReasonTooManyAttempts {
		return &waitForUser{reason: c.Reason, message: c.Message, recheck: wait}
	}
	return &retryLater{reason: c.Reason, message: c.Message, after: wait}
}

// pinRefusedBefore returns the last refusal when Meta refused this very
// PIN (same Secret version, same spec): another attempt would only spend
// one of Meta's 10, so the channel waits for the Secret or spec to change.
func (s *channelSync) pinRefusedBefore(version string) error {
	reg := s.ch.Status.Registration
	c := conditions.Get(s.ch, whatsappv1alpha1.ConditionRegistered)
	if reg == nil || c == nil || c.Reason != whatsappv1alpha1.ReasonRegistrationFailed ||
		c.ObservedGeneration != s.ch.Generation || reg.PINSecretVersion != version {
		return nil
	}
	return &waitForUser{reason: c.Reason, message: c.Message}
}

// callRegister spends one attempt on POST /{id}/register and reads the
// answer.
func (s *channelSync) callRegister(ctx context.Context, n *graph.PhoneNumber, pin, version string) error {
	ch := s.ch
	now := metav1.NewTime(s.now())
	reg := ch.Status.Registration
	if reg == nil {
		reg = &whatsappv1alpha1.RegistrationStatus{}
		ch.Status.Registration = reg
	}
	reg.Attempts++
	reg.LastAttemptTime, reg.NextAttemptTime, reg.PINSecretVersion = &now, nil, version
	err := s.graph.RegisterPhoneNumber(ctx, n.ID, pin)
	if err == nil {
		registered := *n
		registered.PlatformType, registered.Status = graph.PlatformCloudAPI, graph.PhoneStatusConnected
		s.registered(&registered)
		s.event(ch, true, "Registered", fmt.Sprintf("registered %s on the Cloud API with the PIN from Secret %s", ch.Spec.PhoneNumber, ch.Spec.Registration.PINSecretRef.Name))
		return nil
	}
	msg := fmt.Sprintf("registering %s failed: %s", ch.Spec.PhoneNumber, graph.Describe(err))
	out := graphOutcome(err, graphCall{interval: s.interval, refusal: whatsappv1alpha1.ReasonRegistrationFailed, spec: true})
	var (
		later *retryLater
		perm  *permanent
	)
	switch {
	case errors.As(out, &later) && later.reason == whatsappv1alpha1.ReasonRateLimited:
		// Meta's limit of attempts per number (133016): a human should
		// know, and another attempt before the wait would only prolong it.
		wait := graph.RetryAfter(err)
		next := metav1.NewTime(now.Add(wait))
		reg.NextAttemptTime = &next
		out = &waitForUser{reason: whatsappv1alpha1.ReasonTooManyAttempts, message: msg, recheck: wait}
	case errors.As(out, &later):
		backoff := min(registerBackoffBase<<min(reg.Attempts-1, 10), registerBackoffMax)
		next := metav1.NewTime(now.Add(backoff))
		reg.NextAttemptTime = &next
		out = &retryLater{reason: later.reason, message: msg, after: backoff}
	case errors.As(out, &perm):
		out = &waitForUser{reason: whatsappv1alpha1.ReasonRegistrationFailed, message: msg}
	}
	return s.notRegistered(out)
}

// registered records a number Meta reports registered.
func (s *channelSync) registered(n *graph.PhoneNumber) {
	s.listings.putPhone(s.waba, *n)
	s.recordNumber(s.ch, n)
	s.ch.Status.Registration = nil
	conditions.Set(s.ch, whatsappv1alpha1.ConditionRegistered, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded, registeredMessage(s.ch))
}

func registeredMessage(ch *whatsappv1alpha1.WhatsAppChannel) string {
	return fmt.Sprintf("%s is registered on the Cloud API", ch.Spec.PhoneNumber)
}

// notRegistered sets Registered=False with the outcome's reason and
// message, and returns the outcome.
func (s *channelSync) notRegistered(outcome error) error {
	if reason, message, ok := outcomeText(outcome); ok {
		conditions.Set(s.ch, whatsappv1alpha1.ConditionRegistered, metav1.ConditionFalse, reason, message)
	}
	return outcome
}
