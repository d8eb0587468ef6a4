package controllers

import (
	"time"

	ctrl "sigs.k8s.io/controller-runtime"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// Requeue bounds for failures that are not returned as errors.
const (
	minRateLimitWait = 30 * time.Second
	maxRateLimitWait = time.Hour
)

// graphFailure maps a failed Graph call onto the object, mechanically:
//
//   - bad credentials (190, 0) and missing permissions → Stalled; checked
//     again when the Secret changes or at the next syncInterval (a revoked
//     token makes no Secret event);
//   - rate limited → Reconciling, requeued after Meta's
//     time-to-regain-access (never sooner than 30s), not a hot loop; reason
//     WaitingForBudget when the operator held the call back to stay within
//     Meta's budget, RateLimited when Meta refused or asked to wait;
//   - transient (5xx, timeouts, network) → Reconciling, the error is
//     returned and the work queue backs off exponentially;
//   - anything else is permanent for this spec → Stalled with
//     permanentReason, checked again at syncInterval.
//
// The condition message is graph.Describe's: what failed, Meta's code and
// fbtrace_id, what to do; never a secret.
func graphFailure(obj conditions.Setter, err error, permanentReason string, interval time.Duration) (ctrl.Result, error) {
	msg := graph.Describe(err)
	switch graph.Classify(err) {
	case graph.ClassBadCredentials:
		conditions.MarkStalled(obj, whatsappv1alpha1.ReasonInvalidCredentials, msg)
		return ctrl.Result{RequeueAfter: jitter(interval)}, nil
	case graph.ClassPermission:
		conditions.MarkStalled(obj, whatsappv1alpha1.ReasonMissingPermission, msg)
		return ctrl.Result{RequeueAfter: jitter(interval)}, nil
	case graph.ClassRateLimited:
		reason := whatsappv1alpha1.ReasonRateLimited
		if graph.HeldBack(err) {
			// The operator's own budget, not Meta's answer (decision 011).
			reason = whatsappv1alpha1.ReasonWaitingForBudget
		}
		conditions.MarkReconciling(obj, reason, msg)
		return ctrl.Result{RequeueAfter: rateLimitWait(err)}, nil
	case graph.ClassTransient, graph.ClassNone:
		conditions.MarkReconciling(obj, whatsappv1alpha1.ReasonGraphAPIError, msg)
		return ctrl.Result{}, err
	default:
		conditions.MarkStalled(obj, permanentReason, msg)
		return ctrl.Result{RequeueAfter: jitter(interval)}, nil
	}
}

// rateLimitWait is how long to wait after a rate-limit error.
func rateLimitWait(err error) time.Duration {
	d := graph.RetryAfter(err)
	if d < minRateLimitWait {
		d = minRateLimitWait
	}
	if d > maxRateLimitWait {
		d = maxRateLimitWait
	}
	return d
}
