package controllers

// permanent ends a reconcile that can never succeed with this spec: Meta
// refused the template's content, or an edit Meta's rules forbid. The
// object is Stalled with the reason and message, and nothing is retried
// until the spec (a new generation) or a reconcile request says otherwise.
type permanent struct {
	reason  string
	message string
}

func (e *permanent) Error() string { return e.reason + ": " + e.message }
