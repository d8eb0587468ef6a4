package sharedstore

import (
	"errors"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/redis/go-redis/v9"
)

// ErrUnavailable is returned without asking the store while it is left
// alone after an error (Config.RetryAfter).
var ErrUnavailable = errors.New("shared store unavailable: falling back")

// outageLogPeriod: while the store fails, one line per period.
const outageLogPeriod = time.Minute

// Health tracks whether the store answers. After an error the store is
// not asked for RetryAfter: operations meanwhile fail at once with
// ErrUnavailable, so an outage costs no request a timeout. The first
// operation after that window asks again.
type Health struct {
	retryAfter time.Duration
	log        logr.Logger
	metrics    *Metrics
	now        func() time.Time

	mu        sync.Mutex
	down      bool
	until     time.Time // no asking before
	since     time.Time // down since
	lastLog   time.Time
	lastError string
	failures  int64
}

func newHealth(retryAfter time.Duration, log logr.Logger, m *Metrics, now func() time.Time) *Health {
	return &Health{retryAfter: retryAfter, log: log, metrics: m, now: now}
}

// allow reports whether the store may be asked now.
func (h *Health) allow() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return !h.down || !h.now().Before(h.until)
}

// Down reports whether the last operation failed.
func (h *Health) Down() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.down
}

// LastError is the last failure's text ("" while up): it names the
// address and the cause, never a password.
func (h *Health) LastError() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lastError
}

// record notes an operation's outcome. A redis.Nil answer is a success.
func (h *Health) record(op string, err error) {
	if err == nil || errors.Is(err, redis.Nil) {
		h.ok()
		return
	}
	h.failed(op, err)
}

func (h *Health) ok() {
	h.mu.Lock()
	if !h.down {
		h.mu.Unlock()
		return
	}
	since, failures := h.since, h.failures
	h.down, h.lastError, h.failures = false, "", 0
	h.mu.Unlock()
	h.metrics.up.Set(1)
	h.log.Info("shared store answers again: deliveries are claimed and sends paced in it again",
		"downFor", h.now().Sub(since).Round(time.Millisecond).String(), "failures", failures)
}

func (h *Health) failed(op string, err error) {
	h.metrics.errors.WithLabelValues(op).Inc()
	now := h.now()
	h.mu.Lock()
	if !h.down {
		h.since = now
	}
	h.down = true
	h.until = now.Add(h.retryAfter)
	h.lastError = err.Error()
	h.failures++
	logNow := now.Sub(h.lastLog) >= outageLogPeriod
	if logNow {
		h.lastLog = now
	}
	failures := h.failures
	h.mu.Unlock()
	h.metrics.up.Set(0)
	if logNow {
		h.log.Info("shared store failed: webhooks are delivered at least once and sends paced at this replica's share until it answers (one line per minute)",
			"op", op, "error", err.Error(), "failuresSoFar", failures)
	}
}
