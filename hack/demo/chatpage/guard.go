package chatpage

import (
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// securityHeaders are sent with every answer: the page loads only its own
// scripts, styles, images and events, and is framed by nobody.
var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; " +
		"connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
	"X-Content-Type-Options": "nosniff",
	"Referrer-Policy":        "no-referrer",
	"Cache-Control":          "no-store",
}

// guard admits only requests meant for this page: the Host must be the
// loopback address it listens on (a web page elsewhere cannot rebind a
// name of its own to it), and a state-changing request must be JSON from
// the page's own origin (another site in the same browser cannot forge
// one: a cross-site JSON POST needs a preflight that is never answered).
func guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range securityHeaders {
			w.Header().Set(k, v)
		}
		if !loopbackHost(r.Host) {
			http.Error(w, "this page answers on its loopback address only", http.StatusMisdirectedRequest)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
				http.Error(w, "send JSON", http.StatusUnsupportedMediaType)
				return
			}
			if !sameOrigin(r) {
				http.Error(w, "cross-origin requests are refused", http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// loopbackHost reports whether a Host header names a loopback address
// (127.0.0.0/8, [::1] or localhost), with a port.
func loopbackHost(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// sameOrigin reports whether a browser's request comes from this page:
// Origin, when sent, is the request's own host, and Sec-Fetch-Site, when
// sent, is same-origin.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true // not a browser's cross-site request (curl, the tests)
	}
	u, err := url.Parse(origin)
	return err == nil && u.Scheme == "http" && strings.EqualFold(u.Host, r.Host)
}
