package graph_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// Fixture ids and credentials. The secrets are distinctive so a leak is
// easy to spot in any string.
const (
	testToken       = "EAAG-test-TOKEN-s3cr3t-0001"
	testAppSecret   = "app-SECRET-s3cr3t-0002"
	testVerifyToken = "verify-SECRET-s3cr3t-0003"
	testPIN         = "482913"
	wabaID          = "102290129340398"
	phoneID         = "106540352242922"
	appID           = "634974688087057"
)

// env is a simulator served over real HTTP with one app, WABA, number and
// token, and a client pointed at it.
type env struct {
	sim    *graphsim.Server
	srv    *httptest.Server
	cfg    graph.Config
	client *graph.Client
}

type envOption func(*graphsim.Options, *graph.Config)

// newEnv starts a seeded simulator. Client limiters are off and retries
// fast unless an option changes them.
func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	simOpts := graphsim.Options{}
	cfg := graph.Config{
		Version: "v25.0",
		Limits:  graph.Limits{Disabled: true},
		Retry:   graph.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond},
	}
	for _, o := range opts {
		o(&simOpts, &cfg)
	}
	sim := graphsim.New(simOpts)
	sim.AddApp(graphsim.App{ID: appID, Name: "Acme Bot App", Secret: testAppSecret})
	sim.AddWABA(graphsim.WABA{ID: wabaID, Name: "Acme Support"})
	if _, err := sim.AddPhoneNumber(wabaID, graphsim.PhoneNumber{ID: phoneID, DisplayPhoneNumber: "+1 202-555-0123", VerifiedName: "Acme Support"}); err != nil {
		t.Fatal(err)
	}
	sim.AddToken(graphsim.Token{Value: testToken, AppID: appID, WABAs: []string{wabaID}})
	srv := httptest.NewServer(sim)
	t.Cleanup(func() {
		srv.Close()
		sim.Close()
	})
	cfg.BaseURL = srv.URL
	return &env{sim: sim, srv: srv, cfg: cfg, client: graph.New(cfg, testToken)}
}

// withLimits turns the client limiters on with l.
func withLimits(l graph.Limits) envOption {
	return func(_ *graphsim.Options, c *graph.Config) { c.Limits = l }
}

// withMetaBudgets makes the simulator enforce Meta's hourly budgets
// (80007 past 200 management calls or 100 template creations an hour).
func withMetaBudgets() envOption {
	return func(o *graphsim.Options, _ *graph.Config) { o.EnforceRateLimits = true }
}

// withClock gives the client a fake clock.
func withClock(clock *fakeClock) envOption {
	return func(o *graphsim.Options, c *graph.Config) {
		c.Clock = clock.Now
		o.Clock = clock.Now
	}
}

// withHTTPClient sets the client's HTTP client.
func withHTTPClient(hc *http.Client) envOption {
	return func(_ *graphsim.Options, c *graph.Config) { c.HTTPClient = hc }
}

// fakeClock is a settable clock, safe for concurrent use.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// bodyComponents is a minimal valid component list.
func bodyComponents(text string) []graph.Component {
	return []graph.Component{{Type: "BODY", Text: text}}
}
