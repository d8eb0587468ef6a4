package graph

import (
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Meta's edit budget for an approved template.
const (
	editDayWindow   = 24 * time.Hour
	editMonthWindow = 30 * 24 * time.Hour
	editsPerDay     = 1
	editsPerMonth   = 10
)

// editBudget remembers the edits this process made to approved templates
// and Meta's refusals, so the client can refuse an edit it knows Meta would
// refuse. Keyed by template id.
type editBudget struct {
	mu      sync.Mutex
	history *lru.Cache[string, []time.Time]
	blocked *lru.Cache[string, time.Time]
}

func newEditBudget() *editBudget {
	h, _ := lru.New[string, []time.Time](objectCacheSize)
	b, _ := lru.New[string, time.Time](objectCacheSize)
	return &editBudget{history: h, blocked: b}
}

// wait returns how long until an approved template may be edited again, 0
// when it may be edited now.
func (b *editBudget) wait(id string, now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	var d time.Duration
	if until, ok := b.blocked.Get(id); ok && until.After(now) {
		d = until.Sub(now)
	}
	edits := b.pruneLocked(id, now)
	var inDay int
	for _, t := range edits {
		if now.Sub(t) < editDayWindow {
			inDay++
		}
	}
	if inDay >= editsPerDay {
		d = max(d, edits[len(edits)-inDay].Add(editDayWindow).Sub(now))
	}
	if len(edits) >= editsPerMonth {
		d = max(d, edits[len(edits)-editsPerMonth].Add(editMonthWindow).Sub(now))
	}
	return d
}

// record notes a successful edit of an approved template.
func (b *editBudget) record(id string, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.history.Add(id, append(b.pruneLocked(id, now), now))
}

// refuse notes that Meta refused an edit of id for budget reasons; until
// holds further edits back.
func (b *editBudget) refuse(id string, until time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.blocked.Add(id, until)
}

// pruneLocked drops edits older than the 30-day window, oldest first.
func (b *editBudget) pruneLocked(id string, now time.Time) []time.Time {
	edits, _ := b.history.Get(id)
	i := 0
	for i < len(edits) && now.Sub(edits[i]) >= editMonthWindow {
		i++
	}
	return append([]time.Time(nil), edits[i:]...)
}
