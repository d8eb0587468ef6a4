package controllers

import (
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// judgeStatus copies Meta's view of the template into status and maps its
// review status onto the conditions:
//
//	APPROVED            → Ready
//	PENDING, IN_APPEAL  → Reconciling (kstatus InProgress), polled
//	REJECTED            → Stalled, with Meta's reason; a spec change resubmits
//	PAUSED              → not Ready (Meta may resume it)
//	DISABLED            → Stalled
//	anything else       → not Ready with Meta's status
func (r *MessageTemplateReconciler) judgeStatus(t *whatsappv1alpha1.MessageTemplate, live *graph.Template, interval time.Duration) ctrl.Result {
	t.Status.ApprovalStatus = live.Status
	t.Status.RejectedReason = live.RejectedReason
	t.Status.QualityScore = live.QualityScore
	t.Status.Category = live.Category
	t.Status.ParameterFormat = live.ParameterFormat
	name := fmt.Sprintf("template %s (%s)", t.TemplateName(), t.Spec.Language)
	switch live.Status {
	case graph.TemplateApproved:
		msg := fmt.Sprintf("%s is approved by Meta as %s", name, live.Category)
		if live.Category != "" && live.Category != t.Spec.Category {
			msg += fmt.Sprintf(" (spec.category asks for %s; Meta assigned %s, and the category of an approved template cannot change: use a new template name for %s)",
				t.Spec.Category, live.Category, t.Spec.Category)
		}
		conditions.MarkReady(t, msg)
		return ctrl.Result{RequeueAfter: jitter(interval)}
	case graph.TemplatePending, graph.TemplateInAppeal, "":
		conditions.MarkReconciling(t, whatsappv1alpha1.ReasonPending,
			fmt.Sprintf("Meta is reviewing %s (status %s); review takes minutes to 24 hours", name, orUnknown(live.Status)))
		return ctrl.Result{RequeueAfter: r.pendingPoll(t, interval)}
	case graph.TemplateRejected:
		reason := live.RejectedReason
		if reason == "" {
			reason = "no reason given"
		}
		conditions.MarkStalled(t, whatsappv1alpha1.ReasonRejected,
			fmt.Sprintf("Meta rejected %s: %s. Fix the spec and apply it again; the operator resubmits it as an edit", name, reason))
		return ctrl.Result{RequeueAfter: jitter(interval)}
	case graph.TemplatePaused:
		conditions.MarkNotReady(t, whatsappv1alpha1.ReasonPaused,
			fmt.Sprintf("Meta paused %s because of low quality (score %s): sends fail until Meta resumes it; review the feedback in WhatsApp Manager", name, orUnknown(live.QualityScore)))
		return ctrl.Result{RequeueAfter: jitter(interval)}
	case graph.TemplateDisabled:
		conditions.MarkStalled(t, whatsappv1alpha1.ReasonPaused,
			fmt.Sprintf("Meta disabled %s after repeated low quality: it cannot be sent; appeal in WhatsApp Manager or create a new template", name))
		return ctrl.Result{RequeueAfter: jitter(interval)}
	default:
		conditions.MarkNotReady(t, whatsappv1alpha1.ReasonMetaStatus, fmt.Sprintf("Meta reports %s as %s", name, live.Status))
		return ctrl.Result{RequeueAfter: jitter(interval)}
	}
}

// reviewing tells whether Meta is still deciding.
func reviewing(status string) bool {
	return status == graph.TemplatePending || status == graph.TemplateInAppeal
}

// pendingPoll is how often a template in review is polled: a quarter of the
// time it has been in review, between PendingPollMin and syncInterval, so a
// fresh submission is seen in seconds and a day-long review costs a few
// dozen listings, shared by every template of the WABA. Webhooks make it
// faster still.
func (r *MessageTemplateReconciler) pendingPoll(t *whatsappv1alpha1.MessageTemplate, interval time.Duration) time.Duration {
	since := time.Duration(0)
	if c := conditions.Get(t, whatsappv1alpha1.ConditionReconciling); c != nil && c.Reason == whatsappv1alpha1.ReasonPending {
		since = r.now().Sub(c.LastTransitionTime.Time)
	}
	d := since / 4
	if d < r.opts.PendingPollMin {
		d = r.opts.PendingPollMin
	}
	if d > interval {
		d = interval
	}
	return d
}

func orUnknown(s string) string {
	if s == "" {
		return "UNKNOWN"
	}
	return s
}

// markEditRefused records a refused edit without hiding Meta's status.
func markEditRefused(t *whatsappv1alpha1.MessageTemplate, msg string, stalled bool) {
	conditions.Set(t, whatsappv1alpha1.ConditionSubmitted, metav1.ConditionFalse, whatsappv1alpha1.ReasonEditRefused, msg)
	if stalled {
		conditions.MarkStalled(t, whatsappv1alpha1.ReasonEditRefused, msg)
		return
	}
	conditions.MarkNotReady(t, whatsappv1alpha1.ReasonEditRefused, msg)
}
