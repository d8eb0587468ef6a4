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
//	PAUSED              → Stalled (sends fail meanwhile), back to Ready when
//	                      Meta resumes it
//	DISABLED            → Stalled
//	anything else       → not Ready with Meta's status
//
// A category Meta changed is recorded (status.previousCategory) with an
// Event.
func (s *templateSync) judgeStatus(live *graph.Template) (ctrl.Result, error) {
	t, name := s.t, s.name
	t.Status.ApprovalStatus = live.Status
	t.Status.RejectedReason = live.RejectedReason
	t.Status.QualityScore = live.QualityScore
	s.recordCategory(live)
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
		return ctrl.Result{}, &waitForUser{reason: whatsappv1alpha1.ReasonPaused, recheck: jitter(s.interval),
			message: fmt.Sprintf("Meta paused %s (status PAUSED, quality score %s%s): sends of it fail until Meta resumes it, after 3 hours the first time and 6 the second, while a third pause disables it; review the feedback in WhatsApp Manager and improve the template or its audience",
				name, orUnknown(live.QualityScore), metaReason(live))}
	case graph.TemplateDisabled:
		return ctrl.Result{}, &waitForUser{reason: whatsappv1alpha1.ReasonDisabled, recheck: jitter(s.interval),
			message: fmt.Sprintf("Meta disabled %s (status DISABLED, quality score %s%s) after repeated low quality: it cannot be sent; appeal in WhatsApp Manager or create a new template under another name",
				name, orUnknown(live.QualityScore), metaReason(live))}
	default:
		return ctrl.Result{}, &retryLater{reason: whatsappv1alpha1.ReasonMetaStatus, idle: true, after: jitter(s.interval),
			message: fmt.Sprintf("Meta reports %s as %s", name, live.Status)}
	}
}

// metaReason renders the reason Meta gave with a status, when it gave one.
func metaReason(live *graph.Template) string {
	if live.RejectedReason == "" {
		return ""
	}
	return ", reason " + live.RejectedReason
}

// recordCategory copies the category Meta assigned into status. When Meta
// moved it away from the one it had (template_category_update), the
// previous one is kept in status.previousCategory and an Event says so.
// A category the operator's own edit set (the spec's) is no news.
func (s *templateSync) recordCategory(live *graph.Template) {
	t := s.t
	prev := t.Status.Category
	t.Status.Category = live.Category
	if live.PreviousCategory != "" {
		t.Status.PreviousCategory = live.PreviousCategory
	}
	if prev == "" || live.Category == "" || prev == live.Category || live.Category == t.Spec.Category {
		return
	}
	if live.PreviousCategory == "" {
		t.Status.PreviousCategory = prev
	}
	s.event(t, false, "CategoryChanged", fmt.Sprintf("Meta changed the category of %s from %s to %s, which changes its price per conversation; the category of an approved template cannot be changed back: for %s, create a template under another name whose content fits it",
		s.name, prev, live.Category, t.Spec.Category))
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
