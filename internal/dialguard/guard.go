package dialguard

import (
	"errors"
	"fmt"
	"net/netip"
	"syscall"
)

// ErrRefused matches (errors.Is) every refusal of a Guard.
var ErrRefused = errors.New("address refused by the dial guard")

// RefusedError says which address was refused and why.
type RefusedError struct {
	// Addr is the address refused (as dialed, zone removed).
	Addr netip.Addr
	// Reason names the rule: loopback, link-local, unspecified, multicast,
	// denied range, or unparsable.
	Reason string
}

// Error renders the address and the rule.
func (e *RefusedError) Error() string {
	return fmt.Sprintf("dial guard: %s is %s", e.Addr, e.Reason)
}

// Is makes errors.Is(err, ErrRefused) true.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

// Reasons of a RefusedError.
const (
	ReasonLoopback    = "loopback"
	ReasonLinkLocal   = "link-local (cloud metadata lives here)"
	ReasonUnspecified = "unspecified"
	ReasonMulticast   = "multicast"
	ReasonDenied      = "in a denied range"
	ReasonUnparsable  = "not an IP address"
)

// Guard decides which addresses may be dialed. The zero value refuses the
// built-in ranges only. It is safe for concurrent use.
type Guard struct {
	deny  []netip.Prefix
	allow []netip.Prefix
}

// New returns a Guard that also refuses deny and lets through any address
// inside allow, even one a built-in rule or deny would refuse.
func New(deny, allow []netip.Prefix) *Guard {
	return &Guard{deny: normalize(deny), allow: normalize(allow)}
}

// Check returns nil when addr may be dialed, else a *RefusedError.
func (g *Guard) Check(addr netip.Addr) error {
	if !addr.IsValid() {
		return &RefusedError{Addr: addr, Reason: ReasonUnparsable}
	}
	addr = addr.WithZone("")
	forms := []netip.Addr{addr}
	if v4, ok := embeddedIPv4(addr); ok {
		forms = append(forms, v4)
	}
	if g != nil && anyIn(g.allow, forms) {
		return nil
	}
	for _, a := range forms {
		if reason := builtin(a); reason != "" {
			return &RefusedError{Addr: addr, Reason: reason}
		}
	}
	if g != nil && anyIn(g.deny, forms) {
		return &RefusedError{Addr: addr, Reason: ReasonDenied}
	}
	return nil
}

// CheckHostPort checks an "ip:port" or bare IP as net.Dialer.Control
// receives it; anything that is not an IP literal is refused.
func (g *Guard) CheckHostPort(address string) error {
	if ap, err := netip.ParseAddrPort(address); err == nil {
		return g.Check(ap.Addr())
	}
	if a, err := netip.ParseAddr(trimBrackets(address)); err == nil {
		return g.Check(a)
	}
	return &RefusedError{Reason: ReasonUnparsable}
}

// Control is a net.Dialer.Control: it runs after DNS resolution, with the
// address about to be dialed.
func (g *Guard) Control(_, address string, _ syscall.RawConn) error {
	return g.CheckHostPort(address)
}

// builtin names the built-in rule addr breaks, "" when none.
func builtin(a netip.Addr) string {
	switch {
	case a.IsLoopback():
		return ReasonLoopback
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast():
		return ReasonLinkLocal
	case a.IsUnspecified(), a.Is4() && a.As4()[0] == 0:
		// 0.0.0.0/8 is "this network": connecting to it reaches this
		// host on Linux.
		return ReasonUnspecified
	case a.IsMulticast(), a.IsInterfaceLocalMulticast():
		return ReasonMulticast
	}
	return ""
}

// nat64 is the well-known NAT64 prefix (RFC 6052): its last 32 bits are an
// IPv4 address a NAT64 gateway connects to.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// embeddedIPv4 returns the IPv4 address an IPv6 address stands for:
// IPv4-mapped, IPv4-compatible (deprecated, ::a.b.c.d) or NAT64.
func embeddedIPv4(a netip.Addr) (netip.Addr, bool) {
	if !a.Is6() {
		return netip.Addr{}, false
	}
	if a.Is4In6() {
		return a.Unmap(), true
	}
	b := a.As16()
	compat := true
	for _, x := range b[:12] {
		if x != 0 {
			compat = false
			break
		}
	}
	if compat || nat64.Contains(a) {
		return netip.AddrFrom4([4]byte(b[12:])), true
	}
	return netip.Addr{}, false
}

// anyIn reports whether any of addrs is inside any of prefixes.
func anyIn(prefixes []netip.Prefix, addrs []netip.Addr) bool {
	for _, p := range prefixes {
		for _, a := range addrs {
			if p.Contains(a) {
				return true
			}
		}
	}
	return false
}

// normalize masks each prefix and adds the IPv4 form of an IPv4-mapped
// IPv6 prefix (::ffff:10.0.0.0/104 also matches 10.0.0.0/8).
func normalize(in []netip.Prefix) []netip.Prefix {
	out := make([]netip.Prefix, 0, len(in))
	for _, p := range in {
		if !p.IsValid() {
			continue
		}
		p = p.Masked()
		out = append(out, p)
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			out = append(out, netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96))
		}
	}
	return out
}

// trimBrackets removes one pair of enclosing brackets ("[::1]" → "::1").
func trimBrackets(s string) string {
	if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' {
		return s[1 : len(s)-1]
	}
	return s
}
