package graphsim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

const (
	token   = "sim-test-token"
	secret  = "sim-app-secret"
	wabaID  = "102290129340398"
	phoneID = "106540352242922"
	appID   = "634974688087057"
)

// simEnv is a seeded simulator over real HTTP with a settable clock.
type simEnv struct {
	sim   *graphsim.Server
	srv   *httptest.Server
	clock *clock
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newSimEnv(t *testing.T, opts graphsim.Options) *simEnv {
	t.Helper()
	c := &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	if opts.Clock == nil {
		opts.Clock = c.Now
	}
	sim := graphsim.New(opts)
	sim.AddApp(graphsim.App{ID: appID, Name: "Acme Bot App", Secret: secret})
	sim.AddWABA(graphsim.WABA{ID: wabaID, Name: "Acme Support"})
	if _, err := sim.AddPhoneNumber(wabaID, graphsim.PhoneNumber{ID: phoneID, DisplayPhoneNumber: "+1 202-555-0123"}); err != nil {
		t.Fatal(err)
	}
	sim.AddToken(graphsim.Token{Value: token, AppID: appID})
	srv := httptest.NewServer(sim)
	t.Cleanup(func() {
		srv.Close()
		sim.Close()
	})
	return &simEnv{sim: sim, srv: srv, clock: c}
}

// answer is a decoded Graph answer.
type answer struct {
	status int
	header http.Header
	body   map[string]any
}

// errCode returns error.code (and subcode) of an error answer.
func (a answer) errCode() (code, subcode int) {
	e, _ := a.body["error"].(map[string]any)
	c, _ := e["code"].(float64)
	s, _ := e["error_subcode"].(float64)
	return int(c), int(s)
}

func (a answer) errField(name string) string {
	e, _ := a.body["error"].(map[string]any)
	s, _ := e[name].(string)
	return s
}

// call sends a request with the token as Bearer (none when tok is empty).
func (e *simEnv) call(t *testing.T, method, path, tok string, body any) answer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return answer{status: resp.StatusCode, header: resp.Header, body: m}
}

func createBody(name, lang string) map[string]any {
	return map[string]any{
		"name": name, "language": lang, "category": "UTILITY",
		"components": []any{map[string]any{"type": "BODY", "text": "Hello {{1}}", "example": map[string]any{"body_text": [][]string{{"Ann"}}}}},
	}
}
