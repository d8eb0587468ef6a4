package graph

import (
	"testing"
	"time"
)

func TestHourWindow(t *testing.T) {
	base := time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC)
	cases := map[string]struct {
		reason   string
		calls    []time.Duration // offsets from base
		limit    int
		at       time.Duration
		wantUsed int
		wantWait time.Duration
	}{
		"Empty": {
			reason: "no calls: room at once", limit: 1, wantWait: 0,
		},
		"UnderLimit": {
			reason: "fewer calls than the budget: room at once",
			calls:  []time.Duration{0, 0, time.Minute}, limit: 4, at: 2 * time.Minute, wantUsed: 3,
		},
		"FullWaitsForOldestMinute": {
			reason: "a full window frees when its oldest minute leaves, 61 minutes after that minute started",
			calls:  []time.Duration{0, 10 * time.Minute}, limit: 2, at: 20 * time.Minute, wantUsed: 2,
			wantWait: 61*time.Minute - 30*time.Second - 20*time.Minute,
		},
		"StillCountedAfterAnHour": {
			reason: "a call is counted for at least a full hour (Meta's rolling hour)",
			calls:  []time.Duration{0}, limit: 1, at: time.Hour, wantUsed: 1,
			wantWait: 30 * time.Second,
		},
		"GoneAfter61Minutes": {
			reason: "and never longer than 61 minutes",
			calls:  []time.Duration{0}, limit: 1, at: 61 * time.Minute, wantUsed: 0,
		},
		"ManyMinutesFree": {
			reason: "when several old minutes must leave, the wait runs to the last of them",
			calls:  []time.Duration{0, time.Minute, 2 * time.Minute, 3 * time.Minute}, limit: 2, at: 10 * time.Minute, wantUsed: 4,
			wantWait: 63*time.Minute - 30*time.Second - 10*time.Minute,
		},
		"ZeroLimit": {
			reason: "a zero budget never has room", limit: 0, wantWait: 62 * time.Minute,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var w hourWindow
			for _, c := range tc.calls {
				w.add(base.Add(c), 1)
			}
			now := base.Add(tc.at)
			if got := w.used(now); got != tc.wantUsed {
				t.Errorf("%s: used %d, want %d", tc.reason, got, tc.wantUsed)
			}
			if got := w.wait(now, tc.limit); got != tc.wantWait {
				t.Errorf("%s: wait %s, want %s", tc.reason, got, tc.wantWait)
			}
		})
	}
}

func TestHourWindowGiveBack(t *testing.T) {
	var w hourWindow
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	w.add(now, 1)
	w.add(now, -1)
	w.add(now, -1)
	if got := w.used(now); got != 0 {
		t.Errorf("a reservation given back is not counted, and the count never goes negative: %d", got)
	}
	w.add(now.Add(2*time.Second), 1)
	if got := w.used(now); got != 1 {
		t.Errorf("a call reserved seconds ahead counts at once: %d", got)
	}
}
