package graph

import "fmt"

// What a LimitError says, per budget: whose limit it is, the budget in
// numbers, and when the call goes out.
const (
	describeFmtManagement = "%s was held back by the operator: its own calls used the WABA's %d management calls of the last hour (Meta's budget, counted over a rolling hour); it goes out in %s. %s"
	describeFmtCreate     = "%s was held back by the operator: its own calls created the WABA's %d templates of the last hour (Meta's limit, counted over a rolling hour); it goes out in %s. %s"
	describeFmtPacing     = "%s was held back by the operator: Meta reports %d%% of the WABA's hourly budget used, so calls are spaced out; it goes out in %s. %s"
	describeFmtMetaBlock  = "%s was not sent: Meta asked the operator to wait (its rate-limit answer or estimated_time_to_regain_access); it is retried in %s. %s"
	describeFmtEdit       = "%s was not sent: the template_edit budget of this approved template is used up; it is retried in %s. %s"
)

// describeLimit renders a LimitError: an operator hold (Meta refused
// nothing) reads differently from a wait Meta asked for.
func describeLimit(le *LimitError) string {
	act, wait := action(le.Endpoint), roundWait(le.RetryAfter)
	switch le.Budget {
	case BudgetManagement:
		return fmt.Sprintf(describeFmtManagement, act, le.Limit, wait, hintHeldBack)
	case BudgetTemplateCreate:
		return fmt.Sprintf(describeFmtCreate, act, le.Limit, wait, hintHeldBack)
	case BudgetPacing:
		return fmt.Sprintf(describeFmtPacing, act, le.Percent, wait, hintHeldBack)
	case BudgetTemplateEdit:
		return fmt.Sprintf(describeFmtEdit, act, wait, hintEditBudget)
	}
	return fmt.Sprintf(describeFmtMetaBlock, act, wait, hintRateLimited)
}
