package relay

import (
	"regexp"
	"testing"
)

// versionPattern is the rule isGraphVersion implements by hand.
var versionPattern = regexp.MustCompile(`^v[0-9]{1,3}\.[0-9]{1,2}$`)

// TestIsGraphVersion: the hand-written check accepts exactly what the
// regular expression accepts.
func TestIsGraphVersion(t *testing.T) {
	for _, s := range []string{
		"v25.0", "v1.0", "v123.45", "v2.10", "v0.0",
		"", "v", "v.", "v1", "v1.", "v.1", "25.0", "V25.0", "v1234.0", "v1.234", "v1..0", "v1.0.0",
		"v2a.0", "v25.0 ", " v25.0", "vv25.0", "v25,0", "v٣.0", "v25.0\n",
	} {
		if got, want := isGraphVersion(s), versionPattern.MatchString(s); got != want {
			t.Errorf("isGraphVersion(%q) = %v, the pattern says %v", s, got, want)
		}
	}
}

// FuzzIsGraphVersion: on any input the hand-written check and the regular
// expression agree.
func FuzzIsGraphVersion(f *testing.F) {
	for _, s := range []string{"v25.0", "v1.", "v1234.0", "v1.0.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isGraphVersion(s), versionPattern.MatchString(s); got != want {
			t.Errorf("isGraphVersion(%q) = %v, the pattern says %v", s, got, want)
		}
	})
}
