// Package dialguard refuses outbound connections to addresses that a
// user-supplied URL has no business reaching: loopback, link-local
// (169.254.0.0/16 with the cloud metadata service at 169.254.169.254,
// fe80::/10), the unspecified address, multicast, and extra ranges the
// caller names (the API server's addresses, private ranges). An opt-in list
// of prefixes lets a cluster admin allow exceptions.
//
// The check runs as net.Dialer.Control, on the address actually being
// dialed after DNS resolution, so a name that resolves to a public address
// when validated and to 127.0.0.1 when dialed (DNS rebinding) is still
// refused. IPv4 addresses written in IPv6 form (IPv4-mapped ::ffff:a.b.c.d,
// IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96) are judged by the IPv4
// address they carry as well.
//
// A client using a Guard must not use an HTTP proxy: through a proxy only
// the proxy's address is dialed and checked.
package dialguard
