package graph

import (
	"context"
	"net/http"
	"time"

	"golang.org/x/time/rate"
)

// acquire takes a management token (and a template-creation token when
// create is set) from key's limiters, slowed down by key's usage and by the
// app usage of the calling credential appKey. It waits up to
// Limits.MaxWait (and never past ctx's deadline); a longer wait, or an
// active usage block, fails at once with a *LimitError carrying RetryAfter.
func (s *shared) acquire(ctx context.Context, endpoint, appKey, key string, create bool) error {
	if s.limits.Disabled {
		return nil
	}
	now := s.now()
	s.mu.Lock()
	w := s.wabaLocked(key)
	app := s.appLocked(appKey, false)
	blocked := w.blockedUntil
	if app != nil && app.blockedUntil.After(blocked) {
		blocked = app.blockedUntil
	}
	if blocked.After(now) {
		s.mu.Unlock()
		metricRateLimitHits.WithLabelValues(endpoint, sourceLocal).Inc()
		return &LimitError{Endpoint: endpoint, Budget: BudgetUsage, RetryAfter: blocked.Sub(now)}
	}
	s.applySlowdownLocked(w, app, now)
	reservations := []*rate.Reservation{w.mgmt.ReserveN(now, 1)}
	scope := BudgetManagement
	if create {
		reservations = append(reservations, w.create.ReserveN(now, 1))
	}
	s.mu.Unlock()

	var delay time.Duration
	for i, r := range reservations {
		d := r.DelayFrom(now)
		if !r.OK() {
			d = time.Hour
		}
		if d > delay {
			delay = d
			if i == 1 {
				scope = BudgetTemplateCreate
			}
		}
	}
	if delay == 0 {
		return nil
	}
	deadline, hasDeadline := ctx.Deadline()
	if delay > s.limits.MaxWait || (hasDeadline && now.Add(delay).After(deadline)) {
		for _, r := range reservations {
			r.CancelAt(now)
		}
		metricRateLimitHits.WithLabelValues(endpoint, sourceLocal).Inc()
		return &LimitError{Endpoint: endpoint, Budget: scope, RetryAfter: delay}
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		for _, r := range reservations {
			r.Cancel()
		}
		return &TransportError{Endpoint: endpoint, Method: "limiter", err: ctx.Err(), msg: ctx.Err().Error(),
			Timeout: ctx.Err() == context.DeadlineExceeded}
	}
}

// applySlowdownLocked sets w's management rate from its base (200 or 5,000
// per hour) scaled down by the latest usage readings of the WABA and of the
// calling app (nil: none). s.mu must be held.
func (s *shared) applySlowdownLocked(w *wabaState, app *appState, now time.Time) {
	base := s.limits.ManagementPerHour
	if w.registered {
		base = s.limits.RegisteredManagementPerHour
	}
	percent := w.percent
	if app != nil {
		percent = max(percent, app.percent)
	}
	f := slowdownFactor(percent, s.limits.SlowdownThreshold)
	want := perHour(base) * rate.Limit(f)
	if w.mgmt.Limit() != want {
		w.mgmt.SetLimitAt(now, want)
	}
}

// markRegistered moves key to the registered-number budget (5,000/h).
func (s *shared) markRegistered(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.wabaLocked(key)
	if !w.registered {
		w.registered = true
		s.applySlowdownLocked(w, nil, s.now())
	}
}

// recordUsage stores the usage headers of an answer: business readings under
// the ids Meta keyed them by, app usage under the calling credential appKey.
// Readings past the threshold slow the limiters down (app usage only for
// that credential's calls, at acquire); a non-zero time to regain access
// blocks calls for that WABA until then.
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
		metricUsagePercent.WithLabelValues(usageApp).Set(float64(app.Percent()))
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
		s.applySlowdownLocked(w, appSt, now)
		metricUsagePercent.WithLabelValues(usageBusiness).Set(float64(w.percent))
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
