package graph

import "time"

// Meta counts its management and template-creation budgets over a rolling
// hour. hourWindow counts this process's calls the same way, in one-minute
// slots: a call stays counted from the start of its minute until 61 minutes
// later, so the count never falls below what Meta's rolling hour holds (at
// worst a call is counted a minute too long).
const (
	windowSlot = time.Minute
	// windowSlots covers the counted minutes (61) plus one more, so a call
	// reserved a few seconds ahead, in the next minute, never overwrites a
	// slot that is still counted.
	windowSlots   = 62
	windowCounted = 61
)

// hourWindow is a rolling-hour call count. It is not safe for concurrent
// use: the caller holds a lock. Its size is fixed (about 750 bytes), so
// thousands of WABAs cost little whatever their budget.
type hourWindow struct {
	minute [windowSlots]int64 // which minute (since the epoch) a slot holds
	count  [windowSlots]int32
}

// minuteOf is t's minute since the epoch.
func minuteOf(t time.Time) int64 { return t.Unix() / int64(windowSlot/time.Second) }

// at returns the calls counted in minute m.
func (w *hourWindow) at(m int64) int {
	i := m % windowSlots
	if w.minute[i] != m {
		return 0
	}
	return int(w.count[i])
}

// used is the number of calls counted at now: those made in the last 61
// minutes (including calls reserved a few seconds ahead).
func (w *hourWindow) used(now time.Time) int {
	m := minuteOf(now)
	n := 0
	for k := m - windowCounted + 1; k <= m+1; k++ {
		n += w.at(k)
	}
	return n
}

// add counts n calls made at t (n may be negative to give a reservation
// back; the count never goes below zero).
func (w *hourWindow) add(t time.Time, n int) {
	m := minuteOf(t)
	i := m % windowSlots
	if w.minute[i] != m {
		w.minute[i], w.count[i] = m, 0
	}
	w.count[i] = max(0, w.count[i]+int32(n))
}

// wait is how long from now until one more call fits under limit: 0 when
// it fits now, otherwise the time until enough of the oldest minutes have
// left the window.
func (w *hourWindow) wait(now time.Time, limit int) time.Duration {
	used := w.used(now)
	if used < limit {
		return 0
	}
	m := minuteOf(now)
	oldest := m - windowCounted + 1
	freed := 0
	for k := int64(0); k < windowCounted+1; k++ {
		freed += w.at(oldest + k)
		if used-freed < limit {
			// Minute oldest+k leaves the window when minute m+k+1 starts.
			start := time.Unix((m+k+1)*int64(windowSlot/time.Second), 0)
			return start.Sub(now)
		}
	}
	// limit is 0 or below: the budget never allows a call.
	return time.Duration(windowCounted+1) * windowSlot
}
