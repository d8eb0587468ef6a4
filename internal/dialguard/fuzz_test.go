package dialguard

import (
	"errors"
	"net"
	"net/netip"
	"net/url"
	"testing"
)

// FuzzDialGuard feeds addresses, host:port pairs, URLs and mapped forms to
// the guard. It must never panic, and whatever it lets through must be
// neither loopback, link-local, unspecified, multicast nor denied, in any
// of its spellings, unless opted in.
func FuzzDialGuard(f *testing.F) {
	for _, s := range []string{
		"127.0.0.1:80", "[::1]:443", "169.254.169.254", "[::ffff:169.254.169.254]:80", "[::ffff:a9fe:a9fe]:80",
		"[64:ff9b::7f00:1]:80", "[::127.0.0.1]:80", "[fe80::1%25eth0]:80", "0.0.0.0:80", "0.1.2.3:1", "10.96.0.1:443",
		"http://169.254.169.254/latest/meta-data/", "https://[::ffff:127.0.0.1]:8443/x", "http://2130706433/", "93.184.215.14:443",
		"[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:443", "239.1.1.1:5", "[ff02::1]:80", "", ":", "[]:80", "::ffff:",
	} {
		f.Add(s)
	}
	deny := []netip.Prefix{netip.MustParsePrefix("10.96.0.0/12")}
	allow := []netip.Prefix{netip.MustParsePrefix("169.254.20.10/32")}
	g := New(deny, allow)
	f.Fuzz(func(t *testing.T, s string) {
		for _, candidate := range candidates(s) {
			err := g.CheckHostPort(candidate)
			if err != nil {
				if !errors.Is(err, ErrRefused) {
					t.Fatalf("%q: refusal %v does not match ErrRefused", candidate, err)
				}
				continue
			}
			a, ok := parseAny(candidate)
			if !ok {
				t.Fatalf("%q was allowed but is not an IP literal", candidate)
			}
			forms := []netip.Addr{a.WithZone("")}
			if v4, ok := embeddedIPv4(a.WithZone("")); ok {
				forms = append(forms, v4)
			}
			if anyIn(g.allow, forms) {
				continue
			}
			for _, x := range forms {
				if x.IsLoopback() || x.IsLinkLocalUnicast() || x.IsUnspecified() || x.IsMulticast() || anyIn(g.deny, []netip.Addr{x}) {
					t.Fatalf("%q allowed, but its form %s must be refused", candidate, x)
				}
			}
			// The mapped form of an allowed IPv4 address is allowed, and
			// the IPv4 form of an allowed mapped address too.
			if a.Is4() {
				if err := g.Check(netip.AddrFrom16(a.As16())); err != nil {
					t.Fatalf("%s allowed but its mapped form refused: %v", a, err)
				}
			}
		}
	})
}

// candidates are the ways s may reach a dialer: as given, as the host of
// a URL, and its IPv4 address in mapped form.
func candidates(s string) []string {
	out := []string{s}
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		out = append(out, u.Host, u.Hostname())
	}
	if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
		out = append(out, net.JoinHostPort(netip.AddrFrom16(a.As16()).String(), "80"))
	}
	return out
}

// parseAny parses what CheckHostPort accepts.
func parseAny(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr(), true
	}
	if a, err := netip.ParseAddr(trimBrackets(s)); err == nil {
		return a, true
	}
	return netip.Addr{}, false
}
