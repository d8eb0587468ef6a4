// Package testwait polls for a condition with a deadline, so that tests
// wait for what they assert instead of sleeping a fixed time.
package testwait

import (
	"testing"
	"time"
)

// interval is how often Until asks again.
const interval = 20 * time.Millisecond

// Until polls cond until it holds, and fails the test naming what it
// waited for when within passes first.
func Until(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(interval)
	}
}
