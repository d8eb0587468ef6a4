package controllers_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubechat/whatsapp-operator/controllers"
)

func TestParseWatchNamespaces(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		reason string
		flag   string
		want   []string
		err    string // substring of the error, or "" when accepted
	}{
		"empty":      {reason: "no flag watches every namespace", flag: "", want: nil},
		"blank":      {reason: "a blank value (an unset env var in a template) is no list", flag: "  ", want: nil},
		"list":       {reason: "names are trimmed, sorted and de-duplicated", flag: "team-b, team-a,team-b", want: []string{"team-a", "team-b"}},
		"empty item": {reason: "a stray comma is a typo, not 'all namespaces'", flag: "team-a,,team-b", err: "empty namespace name"},
		"bad name":   {reason: "a name that cannot be a namespace would never be watched", flag: "team-a,Team_B", err: `"Team_B" is not a namespace name`},
		"too long":   {reason: "namespace names are DNS labels", flag: strings.Repeat("a", 64), err: "is not a namespace name"},
	}
	for name, tc := range cases {
		got, err := controllers.ParseWatchNamespaces(tc.flag)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want one containing %q (%s)", name, err, tc.err, tc.reason)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v (%s)", name, err, tc.reason)
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s: (-want +got) %s (%s)", name, d, tc.reason)
		}
	}
}

func TestCacheOptionsScopeEveryKind(t *testing.T) {
	t.Parallel()
	all := controllers.CacheOptions(nil)
	if all.DefaultNamespaces != nil {
		t.Errorf("without namespaces the cache is restricted to %v", all.DefaultNamespaces)
	}
	if len(all.ByObject) == 0 {
		t.Error("owned kinds are no longer cached by label only")
	}
	scoped := controllers.CacheOptions([]string{"team-a", "team-b"})
	if len(scoped.DefaultNamespaces) != 2 || len(scoped.ByObject) != len(all.ByObject) {
		t.Errorf("scoped cache: namespaces %v, %d label-selected kinds", scoped.DefaultNamespaces, len(scoped.ByObject))
	}
	for obj, by := range scoped.ByObject {
		if by.Namespaces != nil {
			t.Errorf("%T has its own namespaces %v: it would escape the watched ones", obj, by.Namespaces)
		}
	}
}
