package controllers

import (
	"time"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// Requeue bounds after a rate limit.
const (
	minRateLimitWait = 30 * time.Second
	maxRateLimitWait = time.Hour
)

// graphCall says how a refusal of one Graph call reads: refusal is the
// condition reason when Meta refused the request itself (neither the
// credentials, a permission, a rate limit nor a transient failure), and
// spec tells whether the request carried the object's spec (a template
// create or edit: a refusal is then final for that spec) or not (a read, a
// subscription: re-checked at interval). explain, when set, goes before
// Meta's description of a refusal: what it means for this call.
type graphCall struct {
	interval time.Duration
	refusal  string
	spec     bool
	explain  string
}

// graphOutcome is the one place where Meta's answers (graph.Classify, by
// Meta's error code) become reconcile behaviour, so that a new Meta code is
// handled in graph.Classify alone:
//
//   - bad credentials (190, 0) and missing permissions → waitForUser,
//     checked again when the Secret changes or at the next interval (a
//     revoked token makes no Secret event);
//   - rate limited → retryLater after Meta's time-to-regain-access (never
//     sooner than 30s), not a hot loop; reason WaitingForBudget when the
//     operator held the call back to stay within Meta's budget, RateLimited
//     when Meta refused or asked to wait;
//   - transient (5xx, timeouts, network) → retryLater with the error
//     returned, so the work queue backs off exponentially;
//   - anything else is Meta refusing the request: permanent for a spec
//     (c.spec), otherwise waitForUser re-checked at the interval.
//
// The message is graph.Describe's: what failed, Meta's code and
// fbtrace_id, what to do; never a secret.
func graphOutcome(err error, c graphCall) error {
	msg := graph.Describe(err)
	switch graph.Classify(err) {
	case graph.ClassBadCredentials:
		return &waitForUser{reason: whatsappv1alpha1.ReasonInvalidCredentials, message: msg, recheck: jitter(c.interval)}
	case graph.ClassPermission:
		return &waitForUser{reason: whatsappv1alpha1.ReasonMissingPermission, message: msg, recheck: jitter(c.interval)}
	case graph.ClassRateLimited:
		reason := whatsappv1alpha1.ReasonRateLimited
		if graph.HeldBack(err) {
			// The operator's own budget, not Meta's answer (decision 011).
			reason = whatsappv1alpha1.ReasonWaitingForBudget
		}
		return &retryLater{reason: reason, message: msg, after: rateLimitWait(err)}
	case graph.ClassTransient, graph.ClassNone:
		return &retryLater{reason: whatsappv1alpha1.ReasonGraphAPIError, message: msg, cause: err}
	}
	if c.explain != "" {
		msg = c.explain + " " + msg
	}
	if c.spec {
		return &permanent{reason: c.refusal, message: msg}
	}
	return &waitForUser{reason: c.refusal, message: msg, recheck: jitter(c.interval)}
}

// rateLimitWait is how long to wait after a rate-limit error: Meta's wait,
// at least 30s and at most an hour.
func rateLimitWait(err error) time.Duration {
	return min(max(graph.RetryAfter(err), minRateLimitWait), maxRateLimitWait)
}

// cleanupGivesUp tells whether a failed cleanup call at Meta can never
// succeed, so waiting would only block the deletion forever: the
// credentials are gone or refused, or Meta no longer knows the object.
func cleanupGivesUp(err error) bool {
	switch graph.Classify(err) {
	case graph.ClassBadCredentials, graph.ClassPermission, graph.ClassNotFound:
		return true
	}
	return false
}
