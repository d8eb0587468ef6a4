package controllers

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// Submission backoff, kept in status so it survives restarts.
const (
	submitBackoffBase = 5 * time.Second
	submitBackoffMax  = time.Hour
)

// submit creates the template at Meta, with a backoff kept in status.
func (s *templateSync) submit(ctx context.Context) (*graph.Template, error) {
	t, desired := s.t, s.desired
	if c := conditions.Get(t, whatsappv1alpha1.ConditionSubmitted); c != nil && c.Reason == whatsappv1alpha1.ReasonTemplateInvalid &&
		c.ObservedGeneration == t.Generation && conditions.IsTrue(t, whatsappv1alpha1.ConditionStalled) {
		// Meta refused this very spec: sending it again cannot help. A spec
		// change (a new generation) resubmits.
		return nil, &permanent{reason: c.Reason, message: c.Message}
	}
	if wait := s.submitWait(t); wait > 0 {
		if stalled := conditions.Get(t, whatsappv1alpha1.ConditionStalled); stalled != nil && stalled.Status == metav1.ConditionTrue {
			// Still stalled (a permission Meta refused): keep saying so.
			return nil, &waitForUser{reason: stalled.Reason, message: stalled.Message, recheck: wait}
		}
		msg := fmt.Sprintf("submission failed %d time(s); next attempt in %s", t.Status.SubmitAttempts, wait.Round(time.Second))
		if c := conditions.Get(t, whatsappv1alpha1.ConditionSubmitted); c != nil && c.Message != "" {
			msg = c.Message + " (" + msg + ")"
		}
		return nil, &retryLater{reason: whatsappv1alpha1.ReasonGraphAPIError, message: msg, after: wait}
	}
	payload, err := s.payload(ctx)
	if err != nil {
		return nil, s.notSubmitted(err)
	}
	// The finalizer goes on before the template exists at Meta, and so does
	// the mark that this object asked for it (see takeOver).
	if err := s.ensureFinalizer(ctx, t); err != nil {
		return nil, err
	}
	fresh := t.Status.CreatePendingSince == nil
	if fresh {
		now := metav1.NewTime(s.now())
		if err := s.writeCreateState(ctx, &now, ""); err != nil {
			return nil, err
		}
	}
	created, err := s.graph.CreateTemplate(ctx, s.waba, payload)
	if err != nil {
		t.Status.SubmitAttempts++
		now := metav1.NewTime(s.now())
		t.Status.LastSubmitFailureTime = &now
		if graph.IsTemplateExists(err) {
			if fresh {
				// Made by someone else between our lookup and our create:
				// not this object's to take.
				if err := s.writeCreateState(ctx, nil, ""); err != nil {
					return nil, err
				}
				msg := adoptionRequired(s.name, "", "")
				conditions.Set(t, whatsappv1alpha1.ConditionSubmitted, metav1.ConditionFalse, whatsappv1alpha1.ReasonAdoptionRequired, msg)
				return nil, &waitForUser{reason: whatsappv1alpha1.ReasonAdoptionRequired, message: msg, recheck: s.submitWait(t)}
			}
			// An earlier create of this object whose answer was lost: the
			// next pass finds and takes it, after the submission backoff,
			// so a lookup that cannot see it yet does not become a loop.
			msg := fmt.Sprintf("Meta says %s already exists (created by this object before, its answer lost): looking it up again", s.name)
			conditions.Set(t, whatsappv1alpha1.ConditionSubmitted, metav1.ConditionFalse, whatsappv1alpha1.ReasonProgressing, msg)
			return nil, &retryLater{reason: whatsappv1alpha1.ReasonProgressing, message: msg, after: s.submitWait(t)}
		}
		// Meta refusing this content is permanent for this spec: no retry
		// until it changes.
		out := graphOutcome(err, graphCall{interval: s.interval, refusal: whatsappv1alpha1.ReasonTemplateInvalid, spec: true})
		conditions.Set(t, whatsappv1alpha1.ConditionSubmitted, metav1.ConditionFalse, outcomeReason(out, whatsappv1alpha1.ReasonGraphAPIError), graph.Describe(err))
		return nil, out
	}
	// Meta's id, at once: from now on the template is known as this
	// object's by its id, not by the pending mark.
	if err := s.writeCreateState(ctx, nil, created.ID); err != nil {
		return nil, err
	}
	t.Status.SubmitAttempts, t.Status.LastSubmitFailureTime = 0, nil
	t.Status.ContentHash = s.hash
	live := graph.Template{
		ID: created.ID, Name: desired.Name, Language: desired.Language, Status: created.Status,
		Category: created.Category, ParameterFormat: desired.ParameterFormat, Components: desired.Components,
	}
	s.listings.putTemplate(s.waba, live)
	s.event(t, true, "Submitted", fmt.Sprintf("submitted %s to Meta as id %s, status %s", s.name, created.ID, created.Status))
	return &live, nil
}

// notSubmitted records in the Submitted condition why the spec could not
// be sent, and returns the outcome.
func (s *templateSync) notSubmitted(outcome error) error {
	if reason, message, ok := outcomeText(outcome); ok {
		conditions.Set(s.t, whatsappv1alpha1.ConditionSubmitted, metav1.ConditionFalse, reason, message)
	}
	return outcome
}

// submitWait is how long to wait before the next submission. Attempts
// count for the generation that failed; a spec change resets them.
func (r *MessageTemplateReconciler) submitWait(t *whatsappv1alpha1.MessageTemplate) time.Duration {
	c := conditions.Get(t, whatsappv1alpha1.ConditionSubmitted)
	if t.Status.SubmitAttempts == 0 || t.Status.LastSubmitFailureTime == nil || c == nil || c.ObservedGeneration != t.Generation {
		t.Status.SubmitAttempts, t.Status.LastSubmitFailureTime = 0, nil
		return 0
	}
	backoff := submitBackoffBase << min(t.Status.SubmitAttempts-1, 10)
	if backoff > submitBackoffMax {
		backoff = submitBackoffMax
	}
	return t.Status.LastSubmitFailureTime.Add(backoff).Sub(r.now())
}

// ensureFinalizer adds the finalizer to a template Meta holds (or is about
// to) when deletionPolicy is Delete, and removes it under Orphan: adopted
// templates and policy changes are covered, not only creations.
func (r *MessageTemplateReconciler) ensureFinalizer(ctx context.Context, t *whatsappv1alpha1.MessageTemplate) error {
	want := t.Spec.DeletionPolicy != whatsappv1alpha1.DeletionPolicyOrphan
	if want == controllerutil.ContainsFinalizer(t, whatsappv1alpha1.Finalizer) {
		return nil
	}
	if want {
		return r.addFinalizer(ctx, t)
	}
	return r.removeFinalizer(ctx, t)
}
