package graph

import (
	"errors"
	"fmt"
	"time"
)

// Budgets a LimitError can name: which local budget refused the call.
const (
	// BudgetManagement is the per-WABA management-call limiter.
	BudgetManagement = "management"
	// BudgetTemplateCreate is the per-WABA template-creation limiter.
	BudgetTemplateCreate = "template_create"
	// BudgetTemplateEdit is the edit budget of an approved template (1 per
	// 24 h, 10 per 30 days).
	BudgetTemplateEdit = "template_edit"
	// BudgetUsage is a block set by Meta's usage headers
	// (estimated_time_to_regain_access) or by a Meta rate-limit answer.
	BudgetUsage = "usage"
)

const errFmtLimit = "graph %s: refused locally, %s budget exhausted; retry in %s"

// ErrEditBudgetExhausted matches (errors.Is) a refusal to edit an approved
// template whose edit budget (1 per 24 h, 10 per 30 days) is used up, whether
// the client refused locally or Meta refused.
var ErrEditBudgetExhausted = errors.New("template edit budget exhausted")

// LimitError is returned, without calling Meta, when a client-side budget
// would be exceeded. It classifies as ClassRateLimited and carries RetryAfter.
type LimitError struct {
	// Endpoint is the logical endpoint that was refused.
	Endpoint string
	// Budget names the budget: one of the Budget* constants.
	Budget string
	// RetryAfter is when the budget allows the call again.
	RetryAfter time.Duration
}

// Error renders the endpoint, the budget and the wait.
func (e *LimitError) Error() string {
	return fmt.Sprintf(errFmtLimit, e.Endpoint, e.Budget, e.RetryAfter.Round(time.Second))
}

// Is makes errors.Is(err, ErrEditBudgetExhausted) true for the edit budget.
func (e *LimitError) Is(target error) bool {
	return target == ErrEditBudgetExhausted && e.Budget == BudgetTemplateEdit
}
