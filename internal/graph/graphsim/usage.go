package graphsim

import (
	"encoding/json"
	"time"
)

const (
	headerBusinessUsage      = "X-Business-Use-Case-Usage"
	usageTypeManagement      = "whatsapp_business_management"
	managementBudget         = 200
	registeredBudget         = 5000
	templateCreatesPerHour   = 100
	usageWindow              = time.Hour
	platformCloudAPI         = "CLOUD_API"
	statusConnected          = "CONNECTED"
	percentScale             = 100
	cpuShareOfCallPercentage = 2
)

// Usage forces the values of a WABA's X-Business-Use-Case-Usage header (see
// SetUsage). Percentages of the budget; RegainMinutes is
// estimated_time_to_regain_access.
type Usage struct {
	CallCount     int `json:"call_count"`
	TotalCPUTime  int `json:"total_cputime"`
	TotalTime     int `json:"total_time"`
	RegainMinutes int `json:"estimated_time_to_regain_access"`
}

// SetUsage makes every answer for the WABA carry u in its usage header until
// ClearUsage, so tests can drive a client's slowdown.
func (s *Server) SetUsage(wabaID string, u Usage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.wabas[wabaID]
	if !ok {
		return errNoWABA(wabaID)
	}
	w.usage = &u
	return nil
}

// ClearUsage returns the WABA's usage header to the computed values.
func (s *Server) ClearUsage(wabaID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w, ok := s.wabas[wabaID]; ok {
		w.usage = nil
	}
}

// recordCallLocked counts a call against the WABA's rolling hour.
func (s *Server) recordCallLocked(waba string) {
	w, ok := s.wabas[waba]
	if !ok {
		return
	}
	now := s.now()
	w.callTimes = append(prune(w.callTimes, now), now)
}

// budgetLocked is the WABA's hourly management budget.
func (s *Server) budgetLocked(w *wabaState) int {
	for _, id := range w.phones {
		if p := s.phones[id]; p != nil && p.PlatformType == platformCloudAPI {
			return registeredBudget
		}
	}
	return managementBudget
}

// usageLocked computes the WABA's current usage.
func (s *Server) usageLocked(w *wabaState) Usage {
	if w.usage != nil {
		return *w.usage
	}
	now := s.now()
	w.callTimes = prune(w.callTimes, now)
	budget := s.budgetLocked(w)
	pct := len(w.callTimes) * percentScale / budget
	u := Usage{CallCount: pct, TotalCPUTime: pct / cpuShareOfCallPercentage, TotalTime: pct / cpuShareOfCallPercentage}
	if len(w.callTimes) > budget {
		u.RegainMinutes = int(w.callTimes[0].Add(usageWindow).Sub(now).Minutes()) + 1
	}
	return u
}

// usageHeaderLocked renders the usage header for waba ("" when none);
// regainMinutes, when positive, overrides estimated_time_to_regain_access.
func (s *Server) usageHeaderLocked(waba string, regainMinutes int) string {
	w, ok := s.wabas[waba]
	if !ok {
		return ""
	}
	u := s.usageLocked(w)
	if regainMinutes > 0 {
		u.RegainMinutes = regainMinutes
	}
	type entry struct {
		Type string `json:"type"`
		Usage
	}
	b, _ := json.Marshal(map[string][]entry{waba: {{Type: usageTypeManagement, Usage: u}}})
	return string(b)
}

// enforceBudgetLocked refuses calls past the hourly budget with 80007 when
// Options.EnforceRateLimits is set, and template creations past 100 an hour.
func (s *Server) enforceBudgetLocked(rt route) *metaError {
	w, ok := s.wabas[rt.waba]
	if !s.opts.EnforceRateLimits || !ok {
		return nil
	}
	if u := s.usageLocked(w); u.RegainMinutes > 0 && w.usage == nil {
		s.refusals++
		return errRateLimit(CodeWABARateLimit, u.RegainMinutes)
	}
	if rt.endpoint == EndpointCreateTemplate {
		now := s.now()
		w.createTimes = prune(w.createTimes, now)
		if len(w.createTimes) >= templateCreatesPerHour {
			s.refusals++
			mins := int(w.createTimes[0].Add(usageWindow).Sub(now).Minutes()) + 1
			return errRateLimit(CodeWABARateLimit, mins)
		}
	}
	return nil
}

// BudgetRefusals returns how many calls the simulator refused because a
// WABA spent Meta's hourly budget (EnforceRateLimits); injected rate-limit
// faults are not counted.
func (s *Server) BudgetRefusals() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refusals
}

// prune drops times older than the usage window.
func prune(times []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(times) && now.Sub(times[i]) >= usageWindow {
		i++
	}
	return times[i:]
}
