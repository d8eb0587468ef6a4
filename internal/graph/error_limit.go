package graph

import (
	"errors"
	"fmt"
	"time"
)

// Budgets a LimitError can name. Management, template creation and pacing
// are the operator's own holds (Meta refused nothing); usage is Meta's word.
const (
	// BudgetManagement: this process already made the WABA's hourly
	// management calls (Meta's budget, counted locally over a rolling hour).
	BudgetManagement = "management"
	// BudgetTemplateCreate: this process already created the WABA's hourly
	// 100 templates (Meta's budget, counted locally over a rolling hour).
	BudgetTemplateCreate = "template_create"
	// BudgetPacing: Meta's usage header is past the threshold, so calls are
	// spaced out; the call waits for its turn.
	BudgetPacing = "pacing"
	// BudgetTemplateEdit is the edit budget of an approved template (1 per
	// 24 h, 10 per 30 days).
	BudgetTemplateEdit = "template_edit"
	// BudgetUsage is a block Meta asked for: estimated_time_to_regain_access
	// in its usage headers, or a rate-limit answer.
	BudgetUsage = "usage"
)

const errFmtLimit = "graph %s: refused locally, %s budget exhausted; retry in %s"

// ErrEditBudgetExhausted matches (errors.Is) a refusal to edit an approved
// template whose edit budget (1 per 24 h, 10 per 30 days) is used up, whether
// the client refused locally or Meta refused.
var ErrEditBudgetExhausted = errors.New("template edit budget exhausted")

// LimitError is returned, without calling Meta, when a client-side budget
// would be exceeded or Meta asked to wait. It classifies as
// ClassRateLimited and carries RetryAfter.
type LimitError struct {
	// Endpoint is the logical endpoint that was refused.
	Endpoint string
	// Budget names the budget: one of the Budget* constants.
	Budget string
	// RetryAfter is when the budget allows the call again.
	RetryAfter time.Duration
	// Limit is the budget's calls per hour (management, template_create,
	// pacing); 0 when not applicable.
	Limit int
	// Percent is Meta's usage reading that started the pacing (pacing only).
	Percent int
}

// Error renders the endpoint, the budget and the wait.
func (e *LimitError) Error() string {
	return fmt.Sprintf(errFmtLimit, e.Endpoint, e.Budget, e.RetryAfter.Round(time.Second))
}

// Is makes errors.Is(err, ErrEditBudgetExhausted) true for the edit budget.
func (e *LimitError) Is(target error) bool {
	return target == ErrEditBudgetExhausted && e.Budget == BudgetTemplateEdit
}

// HeldBack reports whether err is the operator holding a call back to stay
// within Meta's budgets (its own rolling-hour count, or pacing past the
// usage threshold) while Meta refused nothing. A Meta rate-limit answer, or
// a block Meta asked for in its usage header, is not held back: that is
// Meta's limit.
func HeldBack(err error) bool {
	var le *LimitError
	if !errors.As(err, &le) {
		return false
	}
	switch le.Budget {
	case BudgetManagement, BudgetTemplateCreate, BudgetPacing:
		return true
	}
	return false
}
