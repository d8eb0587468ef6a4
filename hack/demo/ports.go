package main

import (
	"fmt"
	"net"
	"net/netip"
)

// freeLoopbackAddress returns 127.0.0.1:port for a port free right now,
// for a child to bind (envtest picks the API server's port the same way).
func freeLoopbackAddress() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

// listenLoopback listens on address, which must be a loopback address
// (the chat page offers Meta's powers to whoever reaches it).
func listenLoopback(address string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("--page-address %q: %w", address, err)
	}
	ip, err := netip.ParseAddr(host)
	if host == "localhost" {
		ip, err = netip.MustParseAddr("127.0.0.1"), nil
		address = net.JoinHostPort("127.0.0.1", address[len(host)+1:])
	}
	if err != nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("--page-address %q: the chat page binds a loopback address only (127.0.0.1 or [::1])", address)
	}
	return net.Listen("tcp", address)
}
