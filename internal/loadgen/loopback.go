package loadgen

import (
	"errors"
	"fmt"
	"net"
	"net/url"
)

// errNotLoopback is returned for a target that is not on this machine.
var errNotLoopback = errors.New("load is only generated against loopback addresses")

// checkLoopback accepts http URLs whose host is a loopback IP or
// "localhost", and nothing else: a benchmark must not flood a neighbour.
func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("target %q: %w", raw, err)
	}
	if u.Scheme != "http" {
		return fmt.Errorf("target %q: %w (scheme %q)", raw, errNotLoopback, u.Scheme)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("target %q: %w", raw, errNotLoopback)
}
