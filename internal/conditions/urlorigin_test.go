package conditions

import (
	"net/url"
	"strings"
	"testing"
)

func TestURLOrigin(t *testing.T) {
	cases := map[string]struct {
		reason, in, want string
	}{
		"path and query": {"a token in the query or path stays out", "https://bot.example.com/hooks/t0k3n?key=s3cr3t#frag", "https://bot.example.com"},
		"user info":      {"credentials before the host stay out", "https://bot:pw@bot.example.com:8443/x", "https://bot.example.com:8443"},
		"IPv6":           {"a bracketed address with its port", "http://[fd00::1]:8080/wa", "http://[fd00::1]:8080"},
		"not a URL":      {"nothing is echoed from a value that does not parse", "::not a url s3cr3t", urlUnshown},
		"no host":        {"an opaque URL has no host to show", "mailto:s3cr3t@example.com", urlUnshown},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := URLOrigin(tc.in); got != tc.want {
				t.Errorf("%s: URLOrigin(%q) = %q, want %q", tc.reason, tc.in, got, tc.want)
			}
		})
	}
}

// FuzzURLOrigin: whatever a namespace team writes in spec.chatbot.url, the
// shown origin holds none of its user info, path, query or fragment.
func FuzzURLOrigin(f *testing.F) {
	for _, s := range []string{"https://u:p@h:1/p?q#f", "http://[::1]/x", "https://bot.example.com", "%zz", "http://a@b@c/d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := URLOrigin(raw)
		u, err := url.Parse(raw)
		if err != nil || u.Scheme == "" || u.Host == "" {
			if got != urlUnshown {
				t.Fatalf("URLOrigin(%q) = %q for a value without scheme and host", raw, got)
			}
			return
		}
		if got != u.Scheme+"://"+u.Host {
			t.Fatalf("URLOrigin(%q) = %q, want %q", raw, got, u.Scheme+"://"+u.Host)
		}
		for _, secret := range []string{u.User.String(), u.RawQuery, u.Fragment} {
			if secret != "" && strings.Contains(strings.TrimPrefix(got, u.Scheme+"://"), secret) && !strings.Contains(u.Host, secret) {
				t.Fatalf("URLOrigin(%q) = %q shows %q", raw, got, secret)
			}
		}
	})
}
