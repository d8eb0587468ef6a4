package graph

import (
	"context"
	"math/rand/v2"
	"time"
)

// Default waits for rate-limit answers that say nothing about when access
// returns.
const (
	retryAfterManagement = 5 * time.Minute
	retryAfterThroughput = time.Second
	retryAfterPair       = 6 * time.Second
	// retryAfterSpam: 131048 means Meta restricted the number after users
	// blocked or reported it; the restriction lasts hours, not seconds.
	retryAfterSpam = time.Hour
	// retryAfterRegister: 133016 means the number used up its
	// registration attempts, 10 per rolling 72 hours.
	retryAfterRegister = 72 * time.Hour
)

// defaultRetryAfter is the wait for a rate-limit code without usage header
// or Retry-After: seconds for messaging throughput and pair limits, minutes
// for management budgets (Meta's window is a rolling hour).
func defaultRetryAfter(code int) time.Duration {
	switch code {
	case CodeThroughput:
		return retryAfterThroughput
	case CodePairRateLimit:
		return retryAfterPair
	case CodeSpamRateLimit:
		return retryAfterSpam
	case CodeTooManyRegisterAttempts:
		return retryAfterRegister
	}
	return retryAfterManagement
}

// managementBudgetCode reports codes that mean the WABA's or app's
// management budget is spent, so further calls should wait.
func managementBudgetCode(code int) bool {
	switch code {
	case CodeAppRateLimit, CodeUserRateLimit, CodePageRateLimit, CodeAppLimit, CodeCustomRateLimit, CodeWABARateLimit:
		return true
	}
	return false
}

// backoff sleeps before retry number attempt (1-based): BaseDelay doubled
// per attempt, capped at MaxDelay, with jitter in [d/2, d]. It returns false
// without sleeping when the wait would run past ctx's deadline, and false
// when ctx ends during the wait.
func (c *Client) backoff(ctx context.Context, attempt int) bool {
	d := c.cfg.Retry.BaseDelay << (attempt - 1)
	if d <= 0 || d > c.cfg.Retry.MaxDelay {
		d = c.cfg.Retry.MaxDelay
	}
	d = d/2 + rand.N(d/2+1)
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
