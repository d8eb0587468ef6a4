package dialguard

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"os"
	"time"
)

// apiServerLookupTimeout bounds resolving the API server's host name.
const apiServerLookupTimeout = 2 * time.Second

// APIServerPrefixes are the API server's addresses as this pod sees them:
// KUBERNETES_SERVICE_HOST (the kubernetes Service) and the host of the
// client configuration (a rest.Config Host: "https://h:443", "h:6443" or
// "h"), resolved. A peer a tenant names (a chatbot, a media link) must not
// be one of them. A name that does not resolve in time adds nothing.
func APIServerPrefixes(ctx context.Context, configHost string) []netip.Prefix {
	var out []netip.Prefix
	for _, h := range []string{os.Getenv("KUBERNETES_SERVICE_HOST"), hostOf(configHost)} {
		out = append(out, resolveHost(ctx, h)...)
	}
	return out
}

// resolveHost is h's addresses as single-address prefixes.
func resolveHost(ctx context.Context, h string) []netip.Prefix {
	if h == "" {
		return nil
	}
	if a, err := netip.ParseAddr(h); err == nil {
		return []netip.Prefix{netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())}
	}
	lctx, cancel := context.WithTimeout(ctx, apiServerLookupTimeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(lctx, "ip", h)
	if err != nil {
		return nil
	}
	out := make([]netip.Prefix, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out
}

// hostOf is the host of a rest.Config Host ("https://h:443", "h:6443", "h").
func hostOf(hostport string) string {
	if u, err := url.Parse(hostport); err == nil && u.Host != "" {
		return u.Hostname()
	}
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}
