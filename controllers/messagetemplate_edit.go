package controllers

import (
	"context"
	"errors"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// edit sends a changed spec to Meta. Meta edits only APPROVED, REJECTED and
// PAUSED templates, never the category of an approved one, and an approved
// template at most once per 24 hours and 10 times per 30 days; a refused
// edit says why in the Submitted condition.
func (s *templateSync) edit(ctx context.Context, live *graph.Template) (*graph.Template, error) {
	t, desired := s.t, s.desired
	switch live.Status {
	case graph.TemplateApproved, graph.TemplateRejected, graph.TemplatePaused:
	case graph.TemplatePending, graph.TemplateInAppeal:
		msg := fmt.Sprintf("the spec of %s changed while Meta reviews it: the change is sent when the review ends", s.name)
		conditions.Set(t, whatsappv1alpha1.ConditionSubmitted, metav1.ConditionFalse, whatsappv1alpha1.ReasonPending, msg)
		return nil, &retryLater{reason: whatsappv1alpha1.ReasonPending, message: msg, after: s.pendingPoll(t, s.interval)}
	default:
		msg := fmt.Sprintf("Meta cannot edit %s while it is %s: create a new MessageTemplate (another name) instead", s.name, live.Status)
		return nil, s.editRefused(msg, &permanent{reason: whatsappv1alpha1.ReasonEditRefused, message: msg})
	}
	payload, err := s.payload(ctx)
	if err != nil {
		return nil, s.notSubmitted(err)
	}
	edit := graph.TemplateEdit{Components: payload.Components}
	if live.Status != graph.TemplateApproved {
		// The category of an approved template cannot change; others may.
		edit.Category = desired.Category
	}
	if err := s.graph.EditTemplate(ctx, live.ID, edit); err != nil {
		return nil, s.editFailure(err)
	}
	now := metav1.NewTime(s.now())
	t.Status.LastEditTime = &now
	t.Status.ContentHash = s.hash
	edited := *live
	edited.Components = desired.Components
	edited.Status = graph.TemplatePending // an edit re-enters review
	if edit.Category != "" {
		edited.Category = edit.Category
	}
	s.listings.putTemplate(s.waba, edited)
	s.event(t, true, "Edited", fmt.Sprintf("sent the changed spec of %s to Meta; it re-enters review", s.name))
	return &edited, nil
}

// editFailure reads a failed edit: a rate limit (Meta's edit budget among
// them) waits for the budget without hiding Meta's status; a refusal of
// the content is final for this spec; anything else is graphOutcome's.
func (s *templateSync) editFailure(err error) error {
	msg := fmt.Sprintf("Meta refused the edit of %s: %s", s.name, graph.Describe(err))
	out := graphOutcome(err, graphCall{interval: s.interval, refusal: whatsappv1alpha1.ReasonEditRefused, spec: true})
	var (
		later *retryLater
		perm  *permanent
	)
	switch {
	case errors.As(out, &later) && later.reason == whatsappv1alpha1.ReasonRateLimited:
		return s.editRefused(msg, &retryLater{reason: whatsappv1alpha1.ReasonEditRefused, message: msg,
			after: max(graph.RetryAfter(err), minRateLimitWait), idle: true})
	case errors.As(out, &perm):
		return s.editRefused(msg, &permanent{reason: whatsappv1alpha1.ReasonEditRefused, message: msg})
	}
	return out
}

// editRefused records a refused edit in the Submitted condition and
// returns the outcome, which keeps Meta's status visible.
func (s *templateSync) editRefused(msg string, outcome error) error {
	conditions.Set(s.t, whatsappv1alpha1.ConditionSubmitted, metav1.ConditionFalse, whatsappv1alpha1.ReasonEditRefused, msg)
	return outcome
}
