package controllers

import "time"

// waitForUser ends a reconcile that cannot get further until a human acts
// outside this object: a token to replace in the Secret, a permission to
// grant in Meta's Business Settings, a number to add in WhatsApp Manager, a
// second object claiming the same number or template to delete. The object
// is Stalled with the reason and message, which says what to do (kstatus
// Failed).
//
// recheck is when to look again by itself, because the fix may make no
// event this controller watches (a permission granted at Meta); 0 means
// only a watched change (the Secret, a claimant's deletion) brings it back.
// Callers jitter periodic rechecks themselves.
type waitForUser struct {
	reason  string
	message string
	recheck time.Duration
}

func (e *waitForUser) Error() string { return e.reason + ": " + e.message }
