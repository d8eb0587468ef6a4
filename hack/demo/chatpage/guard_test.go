package chatpage

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The page acts as Meta and as the user's phone: only the page itself, on
// its loopback address, may make it act. Another web page the same browser
// opens (DNS rebinding, a cross-site form or fetch) gets nothing done.
func TestGuard(t *testing.T) {
	t.Parallel()
	acted := 0
	srv := httptest.NewServer(guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			acted++
		}
		w.WriteHeader(http.StatusOK)
	})))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")

	cases := []struct {
		name    string
		method  string
		host    string
		headers map[string]string
		want    int
	}{
		{"the page reads", http.MethodGet, host, nil, http.StatusOK},
		{"localhost is loopback", http.MethodGet, "localhost:1", nil, http.StatusOK},
		{"a rebound name is refused", http.MethodGet, "attacker.example:80", nil, http.StatusMisdirectedRequest},
		{"a Host without a port is refused", http.MethodGet, "127.0.0.1", nil, http.StatusMisdirectedRequest},
		{"the page acts, as JSON from its own origin", http.MethodPost, host,
			map[string]string{"Content-Type": "application/json", "Origin": "http://" + host, "Sec-Fetch-Site": "same-origin"}, http.StatusOK},
		{"a form post is refused (no preflight protects it)", http.MethodPost, host,
			map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, http.StatusUnsupportedMediaType},
		{"text/plain is refused", http.MethodPost, host, map[string]string{"Content-Type": "text/plain"}, http.StatusUnsupportedMediaType},
		{"another origin is refused", http.MethodPost, host,
			map[string]string{"Content-Type": "application/json", "Origin": "http://attacker.example"}, http.StatusForbidden},
		{"another site is refused", http.MethodPost, host,
			map[string]string{"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"a rebound name cannot act either", http.MethodPost, "attacker.example:80",
			map[string]string{"Content-Type": "application/json"}, http.StatusMisdirectedRequest},
	}
	wantActed := 0
	for _, c := range cases {
		req, err := http.NewRequest(c.method, srv.URL+"/api/window", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = c.host
		for k, v := range c.headers {
			req.Header.Set(k, v)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: HTTP %d, want %d", c.name, resp.StatusCode, c.want)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy %q", c.name, csp)
		}
		if c.method == http.MethodPost && c.want == http.StatusOK {
			wantActed++
		}
	}
	if acted != wantActed {
		t.Errorf("the page acted %d times, want %d (only its own requests)", acted, wantActed)
	}
}
