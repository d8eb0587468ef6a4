package graph_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// A proxy set as GRAPH_API_URL, and any access log on the way, records
// request lines. debug_token authenticates as the app with the app secret:
// that secret goes in the Authorization header, never in the URL. (The
// inspected token itself, input_token, has no other place Meta documents;
// see docs/security.md.)
func TestDebugTokenKeepsTheAppSecretOutOfTheURL(t *testing.T) {
	e := newEnv(t)
	var (
		mu    sync.Mutex
		lines []string
	)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		lines = append(lines, r.Method+" "+r.URL.RequestURI())
		mu.Unlock()
		e.sim.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	cfg := e.cfg
	cfg.BaseURL = proxy.URL
	info, err := graph.New(cfg, testToken).DebugToken(context.Background(), appID, testAppSecret)
	if err != nil || !info.IsValid || info.AppID != appID {
		t.Fatalf("debug_token through the proxy: %+v, %v", info, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lines) == 0 {
		t.Fatal("the proxy saw no request")
	}
	for _, line := range lines {
		if strings.Contains(line, testAppSecret) || strings.Contains(line, "access_token") {
			t.Errorf("the request line carries the app token: %s", line)
		}
	}
}
