package dialguard

import (
	"net/netip"
	"slices"
	"testing"
)

func TestAPIServerPrefixesCoverEveryShapeOfTheHost(t *testing.T) {
	t.Setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1")
	for _, tc := range []struct{ host, want string }{
		{"https://192.0.2.7:6443", "192.0.2.7/32"},
		{"192.0.2.8:443", "192.0.2.8/32"},
		{"192.0.2.9", "192.0.2.9/32"},
		{"https://[2001:db8::5]:6443", "2001:db8::5/128"},
		{"https://localhost:6443", "127.0.0.1/32"},
	} {
		got := APIServerPrefixes(t.Context(), tc.host)
		if !slices.Contains(got, netip.MustParsePrefix("10.96.0.1/32")) {
			t.Errorf("%s: %v lacks the kubernetes Service address", tc.host, got)
		}
		if !slices.Contains(got, netip.MustParsePrefix(tc.want)) {
			t.Errorf("%s: %v lacks %s", tc.host, got, tc.want)
		}
	}
}

func TestAPIServerPrefixesOutsideAClusterAreOnlyTheConfiguredHost(t *testing.T) {
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	got := APIServerPrefixes(t.Context(), "https://192.0.2.7:6443")
	if want := []netip.Prefix{netip.MustParsePrefix("192.0.2.7/32")}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if got := APIServerPrefixes(t.Context(), ""); len(got) != 0 {
		t.Fatalf("no host and no Service: got %v, want nothing", got)
	}
}
