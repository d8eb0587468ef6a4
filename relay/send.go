package relay

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// errClientGone: the chatbot went away before the next part or attempt.
var errClientGone = errors.New("the chatbot closed the request")

// errNoToken: no access token is loaded.
var errNoToken = errors.New("no access token loaded from the credentials Secret")

// outcomeUnknownError: the request may have reached Meta but its answer
// was lost (a timeout or a broken connection after the request was
// written). It is never sent again: that could deliver it twice.
type outcomeUnknownError struct{ cause error }

func (e *outcomeUnknownError) Error() string { return "outcome unknown: " + e.cause.Error() }
func (e *outcomeUnknownError) Unwrap() error { return e.cause }

// notSentError: Meta could not be reached; nothing was written.
type notSentError struct{ cause error }

func (e *notSentError) Error() string { return "Meta not reached: " + e.cause.Error() }
func (e *notSentError) Unwrap() error { return e.cause }

// RetryPolicy bounds the relay's retries of sends Meta refused for a
// passing reason (130429, 131056, codes 1 and 2, 5xx) or that never left.
type RetryPolicy struct {
	// MaxAttempts counts the first attempt. Default 4.
	MaxAttempts int
	// BaseDelay doubles per attempt; Meta's own hint (1 s for 130429, 6 s
	// for 131056) wins when longer. Default 250ms.
	BaseDelay time.Duration
	// MaxDelay caps one wait. Default 8s.
	MaxDelay time.Duration
	// Total bounds the time spent retrying one part. Default 20s.
	Total time.Duration
}

func (r RetryPolicy) withDefaults() RetryPolicy {
	setDefault(&r.MaxAttempts, 4)
	setDefault(&r.BaseDelay, 250*time.Millisecond)
	setDefault(&r.MaxDelay, 8*time.Second)
	setDefault(&r.Total, 20*time.Second)
	return r
}

// sender sends one body at a time: it is the only place the relay talks
// to Meta.
type sender struct {
	client  func(version string) (*graph.Client, error)
	budget  *graph.SendBudget
	retry   RetryPolicy
	timeout time.Duration
	metrics *metrics
}

// send posts body for s, paced by the number's budget, and retries what
// may be retried. It never sends a body again once a request carrying it
// may have reached Meta without an answer.
func (x *sender) send(ctx context.Context, s senderInfo, version string, body []byte) ([]byte, error) {
	return x.do(ctx, func(ctx context.Context, c *graph.Client) ([]byte, error) {
		return c.SendMessage(ctx, s.PhoneNumberID, body)
	}, s, version, true)
}

// upload posts a media form for s; uploads spend no send budget.
func (x *sender) upload(ctx context.Context, s senderInfo, version string, form []byte, contentType string) ([]byte, error) {
	return x.do(ctx, func(ctx context.Context, c *graph.Client) ([]byte, error) {
		return c.UploadMediaForm(ctx, s.PhoneNumberID, form, contentType)
	}, s, version, false)
}

func (x *sender) do(ctx context.Context, call func(context.Context, *graph.Client) ([]byte, error), s senderInfo, version string, paced bool) ([]byte, error) {
	deadline := time.Now().Add(x.retry.Total)
	for attempt := 1; ; attempt++ {
		if ctx.Err() != nil {
			return nil, errClientGone
		}
		release := func() {}
		if paced {
			r, waited, err := x.budget.Acquire(ctx, s.PhoneNumberID, s.PerSecond)
			x.metrics.queueWait.Observe(waited.Seconds())
			if waited > 0 {
				x.metrics.rateWaits.Inc()
			}
			if err != nil {
				if ctx.Err() != nil {
					return nil, errClientGone
				}
				return nil, err
			}
			release = r
		}
		c, err := x.client(version)
		if err != nil {
			release()
			return nil, err
		}
		answer, wrote, err := x.attempt(ctx, c, call)
		release()
		if err == nil {
			return answer, nil
		}
		var me *graph.Error
		if errors.As(err, &me) && me.FromMeta {
			x.metrics.metaErrors.WithLabelValues(codeLabel(me.Code)).Inc()
		}
		code, retry := retryable(err, wrote)
		if !retry {
			if wrote && isTransport(err) {
				return nil, &outcomeUnknownError{cause: err}
			}
			return nil, err
		}
		wait := x.backoff(attempt, graph.RetryAfter(err))
		if attempt >= x.retry.MaxAttempts || time.Now().Add(wait).After(deadline) {
			if isTransport(err) {
				return nil, &notSentError{cause: err}
			}
			return nil, err
		}
		x.metrics.retries.WithLabelValues(code).Inc()
		if !sleep(ctx, wait) {
			return nil, errClientGone
		}
	}
}

// attempt runs one call under its own timeout. It is detached from the
// chatbot's request: a chatbot that hangs up must not cut a request that
// Meta may be processing, which would make its outcome unknown. wrote
// reports whether the request's headers were written to a connection,
// from which point the request may have reached Meta.
func (x *sender) attempt(ctx context.Context, c *graph.Client, call func(context.Context, *graph.Client) ([]byte, error)) ([]byte, bool, error) {
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteHeaders: func() { wrote.Store(true) }}
	actx, cancel := context.WithTimeout(httptrace.WithClientTrace(context.WithoutCancel(ctx), trace), x.timeout)
	defer cancel()
	answer, err := call(actx, c)
	return answer, wrote.Load(), err
}

// retryable says whether err may be retried, and the label to count it.
func retryable(err error, wrote bool) (string, bool) {
	var me *graph.Error
	if errors.As(err, &me) {
		switch {
		case me.FromMeta && !me.NoCode && retryCodes[me.Code]:
			return codeLabel(me.Code), true
		case me.HTTPStatus >= http.StatusInternalServerError:
			return "5xx", true
		}
		return "", false
	}
	if isTransport(err) && !wrote {
		return "not_sent", true
	}
	return "", false
}

// retryCodes are the Meta codes a send is tried again after: throughput
// (130429), pair rate (131056), transient (1, 2, 131000, 131016, 131057).
var retryCodes = map[int]bool{
	graph.CodeThroughput: true, graph.CodePairRateLimit: true, graph.CodeUnknown: true, graph.CodeServiceUnavailable: true,
	graph.CodeSomethingWentWrong: true, graph.CodeServiceUnavailableWA: true, graph.CodeAccountMaintenance: true,
}

func isTransport(err error) bool {
	var te *graph.TransportError
	return errors.As(err, &te)
}

// backoff is BaseDelay doubled per attempt, at least Meta's hint, capped at
// MaxDelay, with jitter in [d/2, d] (the hint itself is not shortened).
func (x *sender) backoff(attempt int, hint time.Duration) time.Duration {
	d := x.retry.BaseDelay << (attempt - 1)
	if d <= 0 || d > x.retry.MaxDelay {
		d = x.retry.MaxDelay
	}
	d = d/2 + rand.N(d/2+1)
	return min(max(d, hint), x.retry.MaxDelay)
}

// sleep waits d; false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// setDefault sets *v to def when *v is zero or negative.
func setDefault[T int | int64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}
