package controllers

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// edit sends a changed spec to Meta. Meta edits only APPROVED, REJECTED and
// PAUSED templates, never the category of an approved one, and an approved
// template at most once per 24 hours and 10 times per 30 days; a refused
// edit says why in the Submitted condition.
func (r *MessageTemplateReconciler) edit(ctx context.Context, t *whatsappv1alpha1.MessageTemplate, gc *graph.Client, waba string,
	live *graph.Template, desired graph.TemplateSpec, hash string, interval time.Duration) (*graph.Template, ctrl.Result, error, bool) {
	name := fmt.Sprintf("template %s (%s)", desired.Name, desired.Language)
	switch live.Status {
	case graph.TemplateApproved, graph.TemplateRejected, graph.TemplatePaused:
	case graph.TemplatePending, graph.TemplateInAppeal:
		msg := fmt.Sprintf("the spec of %s changed while Meta reviews it: the change is sent when the review ends", name)
		conditions.Set(t, whatsappv1alpha1.ConditionSubmitted, metav1.ConditionFalse, whatsappv1alpha1.ReasonPending, msg)
		conditions.MarkReconciling(t, whatsappv1alpha1.ReasonPending, msg)
		return nil, ctrl.Result{RequeueAfter: r.pendingPoll(t, interval)}, nil, false
	default:
		markEditRefused(t, fmt.Sprintf("Meta cannot edit %s while it is %s: create a new MessageTemplate (another name) instead", name, live.Status), true)
		return nil, ctrl.Result{}, nil, false
	}
	edit := graph.TemplateEdit{Components: desired.Components}
	if live.Status != graph.TemplateApproved {
		// The category of an approved template cannot change; others may.
		edit.Category = desired.Category
	}
	if err := gc.EditTemplate(ctx, live.ID, edit); err != nil {
		msg := fmt.Sprintf("Meta refused the edit of %s: %s", name, graph.Describe(err))
		switch graph.Classify(err) {
		case graph.ClassRateLimited:
			markEditRefused(t, msg, false)
			return nil, ctrl.Result{RequeueAfter: max(graph.RetryAfter(err), minRateLimitWait)}, nil, false
		case graph.ClassTemplate, graph.ClassNotFound, graph.ClassPermanent:
			markEditRefused(t, msg, true)
			return nil, ctrl.Result{}, nil, false
		}
		res, err := graphFailure(t, err, whatsappv1alpha1.ReasonEditRefused, interval)
		return nil, res, err, false
	}
	now := metav1.NewTime(r.now())
	t.Status.LastEditTime = &now
	t.Status.ContentHash = hash
	edited := *live
	edited.Components = desired.Components
	edited.Status = graph.TemplatePending // an edit re-enters review
	if edit.Category != "" {
		edited.Category = edit.Category
	}
	r.listings.putTemplate(waba, edited)
	r.event(t, true, "Edited", fmt.Sprintf("sent the changed spec of %s to Meta; it re-enters review", name))
	return &edited, ctrl.Result{}, nil, true
}
