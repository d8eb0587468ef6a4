package controllers

import (
	"sync"
	"time"
)

// checkMemo remembers when a check at Meta last passed for an object, and
// for which fingerprint of its inputs (generation and credentials, a hash
// of the wanted profile), so events within the same interval do not repeat
// the Graph calls while nothing they depend on changed.
type checkMemo[K, F comparable] struct {
	mu     sync.Mutex
	passed map[K]passedCheck[F]
}

type passedCheck[F comparable] struct {
	fingerprint F
	at          time.Time
}

func newCheckMemo[K, F comparable]() *checkMemo[K, F] {
	return &checkMemo[K, F]{passed: map[K]passedCheck[F]{}}
}

// fresh tells whether the check passed for this fingerprint less than
// maxAge before now.
func (m *checkMemo[K, F]) fresh(key K, fingerprint F, now time.Time, maxAge time.Duration) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.passed[key]
	return ok && c.fingerprint == fingerprint && now.Sub(c.at) < maxAge
}

// record notes that the check passed now.
func (m *checkMemo[K, F]) record(key K, fingerprint F, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.passed[key] = passedCheck[F]{fingerprint: fingerprint, at: now}
}

// forget drops what is remembered of key.
func (m *checkMemo[K, F]) forget(key K) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.passed, key)
}
