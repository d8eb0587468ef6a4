package graph

import (
	"net/http"
	"sync/atomic"
)

// usageMemo remembers the last value of a usage header and what it parsed
// to. Meta repeats the same value answer after answer while the
// percentages stay put, and every message send carries one: the relay
// would otherwise decode the same JSON per send.
type usageMemo[T any] struct {
	last atomic.Pointer[memoEntry[T]]
}

type memoEntry[T any] struct {
	raw string
	val T
	ok  bool
}

// get returns parse(raw), from the memo when raw is the value last parsed.
func (m *usageMemo[T]) get(raw string, parse func(string) (T, bool)) (T, bool) {
	if raw == "" { // absent: nothing to parse or remember
		var zero T
		return zero, false
	}
	if e := m.last.Load(); e != nil && e.raw == raw {
		return e.val, e.ok
	}
	val, ok := parse(raw)
	m.last.Store(&memoEntry[T]{raw: raw, val: val, ok: ok})
	return val, ok
}

// The memos of the two usage headers: parsing is a pure function of the
// header's value, so one memo serves every client.
var (
	businessUsageMemo usageMemo[map[string][]Usage]
	appUsageMemo      usageMemo[Usage]
)

// businessUsage is ParseBusinessUseCaseUsage through the memo. The map may
// be shared with other callers: read it, never change it.
func businessUsage(h http.Header) map[string][]Usage {
	out, _ := businessUsageMemo.get(h.Get(HeaderBusinessUseCaseUsage), parseBusinessUsage)
	return out
}

// appUsage is ParseAppUsage through the memo.
func appUsage(h http.Header) (Usage, bool) {
	return appUsageMemo.get(h.Get(HeaderAppUsage), parseAppUsage)
}
