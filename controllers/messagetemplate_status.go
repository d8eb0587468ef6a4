package controllers

import (
	"fmt"
	"time"

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
func (s *templateSync) judgeStatus(live *graph.Template) (ctrl.Result, error) {
	t, name := s.t, s.name
	t.Status.ApprovalStatus = live.Status
	t.Status.RejectedReason = live.RejectedReason
	t.Status.QualityScore = live.QualityScore
	t.Status.Category = live.Category
	t.Status.ParameterFormat = live.ParameterFormat
	switch live.Status {
	case graph.TemplateApproved:
		msg := fmt.Sprintf("%s is approved by Meta as %s", name, live.Category)
		if live.Category != "" && live.Category != t.Spec.Category {
			msg += fmt.Sprintf(" (spec.category asks for %s; Meta assigned %s, and the category of an approved template cannot change: use a new template name for %s)",
				t.Spec.Category, live.Category, t.Spec.Category)
		}
		conditions.MarkReady(t, msg)
		return ctrl.Result{RequeueAfter: jitter(s.interval)}, nil
	case graph.TemplatePending, graph.TemplateInAppeal, "":
		return ctrl.Result{}, &retryLater{reason: whatsappv1alpha1.ReasonPending,
			message: fmt.Sprintf("Meta is reviewing %s (status %s); review takes minutes to 24 hours", name, orUnknown(live.Status)),
			after:   s.pendingPoll(t, s.interval)}
	case graph.TemplateRejected:
		reason := live.RejectedReason
		if reason == "" {
			reason = "no reason given"
		}
		return ctrl.Result{}, &waitForUser{reason: whatsappv1alpha1.ReasonRejected,
			message: fmt.Sprintf("Meta rejected %s: %s. Fix the spec and apply it again; the operator resubmits it as an edit", name, reason),
			recheck: jitter(s.interval)}
	case graph.TemplatePaused:
		return ctrl.Result{}, &retryLater{reason: whatsappv1alpha1.ReasonPaused, idle: true, after: jitter(s.interval),
			message: fmt.Sprintf("Meta paused %s because of low quality (score %s): sends fail until Meta resumes it; review the feedback in WhatsApp Manager", name, orUnknown(live.QualityScore))}
	case graph.TemplateDisabled:
		return ctrl.Result{}, &waitForUser{reason: whatsappv1alpha1.ReasonPaused, recheck: jitter(s.interval),
			message: fmt.Sprintf("Meta disabled %s after repeated low quality: it cannot be sent; appeal in WhatsApp Manager or create a new template", name)}
	default:
		return ctrl.Result{}, &retryLater{reason: whatsappv1alpha1.ReasonMetaStatus, idle: true, after: jitter(s.interval),
			message: fmt.Sprintf("Meta reports %s as %s", name, live.Status)}
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
