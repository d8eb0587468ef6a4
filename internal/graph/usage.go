package graph

import (
	"encoding/json"
	"math"
	"net/http"
	"time"
)

// Usage headers Meta attaches to Graph API answers.
const (
	HeaderBusinessUseCaseUsage = "X-Business-Use-Case-Usage"
	HeaderAppUsage             = "X-App-Usage"
)

// Usage is one usage reading: percentages of a Meta budget (throttling starts
// at 100) and, for business use cases, the wait until access is regained.
type Usage struct {
	// Type is the business use case, such as "whatsapp_business_management";
	// empty for app usage.
	Type string
	// CallCount, TotalCPUTime and TotalTime are percentages of the budget.
	CallCount, TotalCPUTime, TotalTime int
	// RegainAccessIn is estimated_time_to_regain_access (sent in minutes).
	RegainAccessIn time.Duration
}

// Percent is the highest of the three percentages.
func (u Usage) Percent() int {
	return max(u.CallCount, u.TotalCPUTime, u.TotalTime)
}

type wireUsage struct {
	Type         string  `json:"type"`
	CallCount    float64 `json:"call_count"`
	TotalCPUTime float64 `json:"total_cputime"`
	TotalTime    float64 `json:"total_time"`
	RegainMins   float64 `json:"estimated_time_to_regain_access"`
}

func (w wireUsage) usage() Usage {
	return Usage{
		Type:           w.Type,
		CallCount:      int(math.Round(w.CallCount)),
		TotalCPUTime:   int(math.Round(w.TotalCPUTime)),
		TotalTime:      int(math.Round(w.TotalTime)),
		RegainAccessIn: time.Duration(w.RegainMins * float64(time.Minute)),
	}
}

// ParseBusinessUseCaseUsage parses X-Business-Use-Case-Usage, a JSON object
// keyed by business object id (the WABA id) holding a list of per-use-case
// readings. It returns nil for an absent or malformed header: absence does
// not mean zero usage, only that Meta did not say.
func ParseBusinessUseCaseUsage(h http.Header) map[string][]Usage {
	out, _ := parseBusinessUsage(h.Get(HeaderBusinessUseCaseUsage))
	return out
}

func parseBusinessUsage(raw string) (map[string][]Usage, bool) {
	if raw == "" {
		return nil, false
	}
	var wire map[string][]wireUsage
	if err := json.Unmarshal([]byte(raw), &wire); err != nil {
		return nil, false
	}
	out := make(map[string][]Usage, len(wire))
	for id, list := range wire {
		for _, w := range list {
			out[id] = append(out[id], w.usage())
		}
	}
	return out, true
}

// ParseAppUsage parses X-App-Usage. ok is false when the header is absent or
// malformed.
func ParseAppUsage(h http.Header) (u Usage, ok bool) {
	return parseAppUsage(h.Get(HeaderAppUsage))
}

func parseAppUsage(raw string) (Usage, bool) {
	if raw == "" {
		return Usage{}, false
	}
	var w wireUsage
	if err := json.Unmarshal([]byte(raw), &w); err != nil {
		return Usage{}, false
	}
	return w.usage(), true
}

// UsageReading is what the client last learned about one WABA's budget.
type UsageReading struct {
	// Percent is the highest usage percentage Meta reported for the WABA
	// (business use case) or the app, whichever is higher.
	Percent int
	// BlockedUntil is when Meta's estimated_time_to_regain_access (or a
	// rate-limit answer) ends; zero when not blocked.
	BlockedUntil time.Time
	// ObservedAt is when the reading arrived; zero when none did.
	ObservedAt time.Time
}

// StretchInterval returns d unchanged below threshold percent, and stretched
// linearly up to 4×d at 100% and beyond, so a controller resyncs less often
// as Meta's budget runs low.
func (u UsageReading) StretchInterval(d time.Duration, threshold int) time.Duration {
	if u.Percent <= threshold || threshold >= 100 {
		return d
	}
	frac := math.Min(1, float64(u.Percent-threshold)/float64(100-threshold))
	return time.Duration(float64(d) * (1 + 3*frac))
}

// slowdownFactor scales a limiter's rate: 1 at or below threshold, falling
// linearly to 0.1 at 100%.
func slowdownFactor(percent, threshold int) float64 {
	if percent <= threshold || threshold >= 100 {
		return 1
	}
	frac := math.Min(1, float64(percent-threshold)/float64(100-threshold))
	return 1 - 0.9*frac
}

// maxRegain is the longest estimated_time_to_regain_access in the answer's
// business usage header, 0 when none.
func maxRegain(h http.Header) time.Duration {
	var d time.Duration
	for _, list := range ParseBusinessUseCaseUsage(h) {
		for _, u := range list {
			d = max(d, u.RegainAccessIn)
		}
	}
	return d
}
