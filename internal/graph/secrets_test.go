package graph_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

var secrets = []string{testToken, testAppSecret, testVerifyToken, testPIN, appID + "|" + testAppSecret}

// logSink collects every log line.
type logSink struct {
	mu    sync.Mutex
	lines []string
}

func (l *logSink) logger() logr.Logger {
	return funcr.New(func(prefix, args string) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.lines = append(l.lines, prefix+" "+args)
	}, funcr.Options{Verbosity: 10})
}

// assertNoSecret fails when any rendering of err, any layer of its chain,
// Describe(err) or the logs contain one of secrets.
func assertNoSecret(t *testing.T, reason string, err error, logs *logSink, secrets []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: expected a failure", reason)
	}
	texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), graph.Describe(err)}
	for e := err; e != nil; e = errors.Unwrap(e) {
		texts = append(texts, e.Error())
	}
	var me *graph.Error
	if errors.As(err, &me) {
		texts = append(texts, string(me.Body), me.Message, me.UserMessage, me.Details)
	}
	logs.mu.Lock()
	texts = append(texts, logs.lines...)
	logs.mu.Unlock()
	for _, text := range texts {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s: secret %q leaked in %q", reason, s, text)
			}
		}
	}
}

// secretCall is a call and the secrets it hands the client (besides the
// token, which every call has): debug_token puts the app secret in its URL,
// register sends the PIN, subscribe the verify token.
type secretCall struct {
	call    func(context.Context, *graph.Client) error
	secrets []string
}

var secretCalls = map[string]secretCall{
	"DebugToken": {call: func(ctx context.Context, c *graph.Client) error {
		_, err := c.DebugToken(ctx, appID, testAppSecret)
		return err
	}, secrets: []string{testAppSecret, appID + "|" + testAppSecret}},
	"Register": {call: func(ctx context.Context, c *graph.Client) error { return c.RegisterPhoneNumber(ctx, phoneID, testPIN) },
		secrets: []string{testPIN}},
	"Subscribe": {call: func(ctx context.Context, c *graph.Client) error {
		return c.SubscribeApp(ctx, wabaID, &graph.CallbackOverride{URL: "https://x.example/hook", VerifyToken: testVerifyToken})
	}, secrets: []string{testVerifyToken}},
	"GetWABA": {call: func(ctx context.Context, c *graph.Client) error {
		_, err := c.GetBusinessAccount(ctx, wabaID)
		return err
	}},
	"Send": {call: func(ctx context.Context, c *graph.Client) error {
		_, err := c.SendMessage(ctx, phoneID, []byte(`{"messaging_product":"whatsapp","to":"1","text":{"body":"x"}}`))
		return err
	}},
}

func TestNoSecretInFailures(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()

	paths := map[string]struct {
		reason string
		setup  func(*testing.T, *env) graph.Config
		ctx    func() (context.Context, context.CancelFunc)
		echoes bool
	}{
		"ConnectionRefused": {
			reason: "a *url.Error names the URL; it must not reach the error",
			setup: func(t *testing.T, e *env) graph.Config {
				cfg := e.cfg
				cfg.BaseURL = deadURL
				return cfg
			},
		},
		"Timeout": {
			reason: "a client timeout carries the URL in net/http's error",
			setup: func(t *testing.T, e *env) graph.Config {
				e.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultSlow, Delay: 5 * time.Second})
				cfg := e.cfg
				cfg.HTTPClient = &http.Client{Timeout: 30 * time.Millisecond}
				cfg.Retry = graph.RetryPolicy{MaxAttempts: 1}
				return cfg
			},
		},
		"ContextDeadline": {
			reason: "a context deadline is reported without the URL",
			setup: func(t *testing.T, e *env) graph.Config {
				e.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultSlow, Delay: 5 * time.Second})
				return e.cfg
			},
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 30*time.Millisecond)
			},
		},
		"ServerError": {
			reason: "a 5xx answer",
			setup: func(t *testing.T, e *env) graph.Config {
				e.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultServerError, Status: 500})
				return e.cfg
			},
		},
		"BadGateway": {
			reason: "a non-JSON 502",
			setup: func(t *testing.T, e *env) graph.Config {
				e.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultBadGateway})
				return e.cfg
			},
		},
		"MetaEchoesSecrets": {
			reason: "even if Meta's message echoed a credential, it is scrubbed",
			echoes: true,
			setup: func(t *testing.T, e *env) graph.Config {
				e.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultError, Status: 400, Code: 100,
					Message: "bad token " + testToken + " secret " + testAppSecret + " verify " + testVerifyToken + " pin " + testPIN})
				return e.cfg
			},
		},
		"RevokedToken": {
			reason: "190 on a revoked token",
			setup: func(t *testing.T, e *env) graph.Config {
				_ = e.sim.RevokeToken(testToken)
				return e.cfg
			},
		},
		"Disconnect": {
			reason: "a dropped connection",
			setup: func(t *testing.T, e *env) graph.Config {
				e.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultDisconnect})
				return e.cfg
			},
		},
		"BadBaseURL": {
			reason: "an unusable base URL is reported without credentials in it",
			setup: func(t *testing.T, e *env) graph.Config {
				cfg := e.cfg
				cfg.BaseURL = "https://user:" + testToken + "@" + "%zz"
				return cfg
			},
		},
	}
	for pathName, p := range paths {
		for callName, sc := range secretCalls {
			if pathName == "RevokedToken" && callName == "DebugToken" {
				continue // debug_token reports a revoked token (is_valid=false); it does not fail
			}
			t.Run(pathName+"/"+callName, func(t *testing.T) {
				e := newEnv(t)
				cfg := p.setup(t, e)
				logs := &logSink{}
				cfg.Logger = logs.logger()
				c := graph.New(cfg, testToken)
				ctx, cancel := context.Background(), context.CancelFunc(func() {})
				if p.ctx != nil {
					ctx, cancel = p.ctx()
				}
				defer cancel()
				// Every secret must stay out when Meta does not echo it; when it
				// does, the client can only scrub what the call handed it.
				check := secrets
				if p.echoes {
					check = append([]string{testToken}, sc.secrets...)
				}
				assertNoSecret(t, p.reason, sc.call(ctx, c), logs, check)
			})
		}
	}
}

func TestNoSecretInMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	if err := graph.RegisterMetrics(reg); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	for _, sc := range secretCalls {
		_ = sc.call(context.Background(), e.client)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				for _, s := range secrets {
					if strings.Contains(l.GetValue(), s) {
						t.Errorf("metric %s label %s=%q carries a secret", f.GetName(), l.GetName(), l.GetValue())
					}
				}
			}
		}
	}
}
