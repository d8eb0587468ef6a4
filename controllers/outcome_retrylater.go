package controllers

import "time"

// retryLater ends a reconcile that will get further by itself: Meta is
// reviewing, a rate limit is running out, the provider is not Ready yet, a
// transient failure needs another try. The object is Reconciling with the
// reason and message (Ready=False, kstatus InProgress).
//
// When is it retried:
//   - after > 0: after that long (RequeueAfter), and no error is returned,
//     so the work queue's exponential limiter does not fire as well;
//   - after == 0 with a cause: the cause is returned and the work queue
//     backs off exponentially (transient Graph failures);
//   - after == 0 without a cause: when a watch fires (the provider became
//     Ready, a Deployment got a ready replica).
//
// idle marks a wait with nothing under way meanwhile (an edit waiting for
// Meta's edit budget, a template status Meta gives no meaning to): Ready is
// False without Reconciling.
type retryLater struct {
	reason  string
	message string
	after   time.Duration
	cause   error
	idle    bool
}

func (e *retryLater) Error() string { return e.reason + ": " + e.message }

// Unwrap returns the transient cause, if any.
func (e *retryLater) Unwrap() error { return e.cause }
