package graph

import (
	"context"
	"net/http"
	"time"
)

// hold is why, and for how long, a call must wait before it may go.
type hold struct {
	budget  string
	delay   time.Duration
	limit   int // calls per hour of that budget
	percent int // Meta's usage reading, for BudgetPacing
}

// acquire spends one management call (and one template creation when
// create is set) of key's rolling-hour budgets, spaced out while Meta's
// usage reading for key or for the calling app credential appKey is past
// the threshold. It waits up to Limits.MaxWait (and never past ctx's
// deadline); a longer wait, or a block Meta asked for, fails at once with a
// *LimitError naming whose limit it is and carrying RetryAfter.
func (s *shared) acquire(ctx context.Context, endpoint, appKey, key string, create bool) error {
	if s.limits.Disabled {
		return nil
	}
	now := s.now()
	s.mu.Lock()
	w := s.wabaLocked(key)
	app := s.appLocked(appKey, false)
	if until := blockedUntil(w, app); until.After(now) {
		s.mu.Unlock()
		metricRateLimitHits.WithLabelValues(endpoint, sourceLocal).Inc()
		return &LimitError{Endpoint: endpoint, Budget: BudgetUsage, RetryAfter: until.Sub(now)}
	}
	h := s.holdLocked(w, app, now, create)
	deadline, hasDeadline := ctx.Deadline()
	if h.delay > s.limits.MaxWait || (hasDeadline && now.Add(h.delay).After(deadline)) {
		s.mu.Unlock()
		metricRateLimitHits.WithLabelValues(endpoint, sourceLocal).Inc()
		return &LimitError{Endpoint: endpoint, Budget: h.budget, RetryAfter: h.delay, Limit: h.limit, Percent: h.percent}
	}
	at := now.Add(h.delay)
	s.reserveLocked(w, at, create, 1)
	s.mu.Unlock()
	if h.delay <= 0 {
		return nil
	}
	t := time.NewTimer(h.delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		s.reserveLocked(w, at, create, -1)
		s.mu.Unlock()
		return &TransportError{Endpoint: endpoint, Method: "limiter", err: ctx.Err(), msg: ctx.Err().Error(),
			Timeout: ctx.Err() == context.DeadlineExceeded}
	}
}

// blockedUntil is when Meta's block on the WABA or on the app ends.
func blockedUntil(w *wabaState, app *appState) time.Time {
	until := w.blockedUntil
	if app != nil && app.blockedUntil.After(until) {
		until = app.blockedUntil
	}
	return until
}

// holdLocked decides how long a call must wait: the longest of the
// management window, the template-creation window (create only) and, past
// the usage threshold, the pacing gap since the WABA's latest call. s.mu
// must be held.
func (s *shared) holdLocked(w *wabaState, app *appState, now time.Time, create bool) hold {
	limit := s.managementLimitLocked(w)
	h := hold{budget: BudgetManagement, limit: limit, delay: w.mgmt.wait(now, limit)}
	if create {
		if d := w.create.wait(now, s.limits.TemplateCreatesPerHour); d > h.delay {
			h = hold{budget: BudgetTemplateCreate, limit: s.limits.TemplateCreatesPerHour, delay: d}
		}
	}
	if percent, gap := s.paceLocked(w, app, limit); gap > 0 {
		if d := w.lastCall.Add(gap).Sub(now); d > h.delay {
			h = hold{budget: BudgetPacing, limit: limit, percent: percent, delay: d}
		}
	}
	return h
}

// reserveLocked counts n calls (n = -1 gives a reservation back) sent at
// at, and remembers the latest for pacing. s.mu must be held.
func (s *shared) reserveLocked(w *wabaState, at time.Time, create bool, n int) {
	w.mgmt.add(at, n)
	if create {
		w.create.add(at, n)
	}
	if n > 0 && at.After(w.lastCall) {
		w.lastCall = at
	}
}

// managementLimitLocked is w's hourly management budget: 200 calls, 5,000
// once a number of the WABA is registered. s.mu must be held.
func (s *shared) managementLimitLocked(w *wabaState) int {
	if w.registered {
		return s.limits.RegisteredManagementPerHour
	}
	return s.limits.ManagementPerHour
}

// paceLocked returns the highest usage reading of the WABA and of the
// calling app (nil: none) and, when it is past the threshold, the gap to
// keep between calls: the hourly budget spread evenly over the hour, then
// stretched as the reading climbs (slowdownFactor). A zero gap means no
// pacing. s.mu must be held.
func (s *shared) paceLocked(w *wabaState, app *appState, limit int) (percent int, gap time.Duration) {
	percent = w.percent
	if app != nil {
		percent = max(percent, app.percent)
	}
	f := slowdownFactor(percent, s.limits.SlowdownThreshold)
	if f >= 1 || limit <= 0 {
		return percent, 0
	}
	return percent, time.Duration(float64(time.Hour) / (float64(limit) * f))
}

// markRegistered moves key to the registered-number budget (5,000/h).
func (s *shared) markRegistered(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wabaLocked(key).registered = true
}

// recordUsage stores the usage headers of an answer: business readings under
// the ids Meta keyed them by, app usage under the calling credential appKey.
// Readings past the threshold space calls out (app usage only for that
// credential's calls, at acquire); a non-zero time to regain access blocks
// calls for that WABA until then.
func (s *shared) recordUsage(appKey string, h http.Header) {
	buc := businessUsage(h)
	app, appOK := appUsage(h)
	if buc == nil && !appOK {
		return
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	appSt := s.appLocked(appKey, appOK)
	if appOK && appSt != nil {
		appSt.percent, appSt.observedAt = app.Percent(), now
		metricUsageRatio.WithLabelValues(usageApp).Set(float64(app.Percent()) / 100)
	}
	for id, list := range buc {
		w := s.wabaLocked(id)
		w.percent, w.observedAt = 0, now
		var regain time.Duration
		for _, u := range list {
			w.percent = max(w.percent, u.Percent())
			regain = max(regain, u.RegainAccessIn)
		}
		if regain > 0 {
			w.blockedUntil = now.Add(regain)
		}
		metricUsageRatio.WithLabelValues(usageBusiness).Set(float64(w.percent) / 100)
	}
}

// regainAfter is the remaining usage block of key, 0 when none.
func (s *shared) regainAfter(key string) time.Duration {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.wabas.Get(key)
	if !ok || !w.blockedUntil.After(now) {
		return 0
	}
	return w.blockedUntil.Sub(now)
}

// blockFor stops management calls for key for d, after Meta answered a
// management rate-limit code without saying when access returns.
func (s *shared) blockFor(key string, d time.Duration) {
	if s.limits.Disabled || d <= 0 {
		return
	}
	until := s.now().Add(d)
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.wabaLocked(key)
	if until.After(w.blockedUntil) {
		w.blockedUntil = until
	}
}
