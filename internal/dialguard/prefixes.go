package dialguard

import (
	"fmt"
	"net/netip"
	"strings"
)

// PrivateRanges are the address ranges that never reach the internet:
// RFC 1918, shared address space (100.64.0.0/10, carrier-grade NAT), and
// IPv6 unique local addresses. Pass them as deny when the peer is meant to
// be on the internet (a media link Meta will fetch), not for in-cluster
// peers.
func PrivateRanges() []netip.Prefix {
	return []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("172.16.0.0/12"),
		netip.MustParsePrefix("192.168.0.0/16"),
		netip.MustParsePrefix("100.64.0.0/10"),
		netip.MustParsePrefix("fc00::/7"),
	}
}

// ParsePrefixes parses a comma-separated list of CIDR prefixes or bare
// addresses (a bare address is a /32 or /128), as a flag gives it.
func ParsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p)
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("dial guard: %q is neither a CIDR prefix nor an IP address", f)
		}
		out = append(out, netip.PrefixFrom(a.WithZone(""), a.BitLen()))
	}
	return out, nil
}
