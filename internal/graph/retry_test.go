package graph_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

func TestRetries(t *testing.T) {
	ctx := context.Background()
	cases := map[string]struct {
		reason    string
		fault     graphsim.Fault
		call      func(*graph.Client) error
		endpoint  string
		wantErr   bool
		wantCalls int
		atLeast   bool
	}{
		"GETRecoversFrom5xx": {
			reason:   "an idempotent GET is retried on 5xx and succeeds on the third attempt",
			fault:    graphsim.Fault{Endpoint: graphsim.EndpointListPhoneNumbers, Kind: graphsim.FaultServerError, Status: 503, Times: 2},
			call:     func(c *graph.Client) error { _, err := c.ListPhoneNumbers(ctx, wabaID); return err },
			endpoint: graphsim.EndpointListPhoneNumbers, wantCalls: 3,
		},
		"GETRecoversFromBadGateway": {
			reason:   "a proxy 502 without Meta's error object is retried too",
			fault:    graphsim.Fault{Endpoint: graphsim.EndpointGetBusinessAccount, Kind: graphsim.FaultBadGateway, Times: 1},
			call:     func(c *graph.Client) error { _, err := c.GetBusinessAccount(ctx, wabaID); return err },
			endpoint: graphsim.EndpointGetBusinessAccount, wantCalls: 2,
		},
		"GETRecoversFromDisconnect": {
			reason: "a dropped connection is retried (net/http may also replay a GET on a reused connection, hence at least)",
			fault:  graphsim.Fault{Endpoint: graphsim.EndpointListTemplates, Kind: graphsim.FaultDisconnect, Times: 1},
			call: func(c *graph.Client) error {
				_, err := c.ListTemplates(ctx, wabaID, graph.TemplateFilter{})
				return err
			},
			endpoint: graphsim.EndpointListTemplates, wantCalls: 2, atLeast: true,
		},
		"GETGivesUp": {
			reason:   "retries stop at MaxAttempts (3)",
			fault:    graphsim.Fault{Endpoint: graphsim.EndpointGetBusinessAccount, Kind: graphsim.FaultServerError, Status: 500},
			call:     func(c *graph.Client) error { _, err := c.GetBusinessAccount(ctx, wabaID); return err },
			endpoint: graphsim.EndpointGetBusinessAccount, wantErr: true, wantCalls: 3,
		},
		"NoRetryOnPermanent": {
			reason:   "a 190 is not retried",
			fault:    graphsim.Fault{Endpoint: graphsim.EndpointGetBusinessAccount, Kind: graphsim.FaultError, Status: 401, Code: 190, Times: 1},
			call:     func(c *graph.Client) error { _, err := c.GetBusinessAccount(ctx, wabaID); return err },
			endpoint: graphsim.EndpointGetBusinessAccount, wantErr: true, wantCalls: 1,
		},
		"NoRetryOnCallbackVerification": {
			reason:   "2200 is not retried: Meta's handshake takes seconds and retrying does not make the URL reachable",
			fault:    graphsim.Fault{Endpoint: graphsim.EndpointGetBusinessAccount, Kind: graphsim.FaultError, Status: 400, Code: 2200, Times: 3},
			call:     func(c *graph.Client) error { _, err := c.GetBusinessAccount(ctx, wabaID); return err },
			endpoint: graphsim.EndpointGetBusinessAccount, wantErr: true, wantCalls: 1,
		},
		"NoRetryOnRateLimit": {
			reason: "a rate limit is left to the caller's requeue",
			fault:  graphsim.Fault{Endpoint: graphsim.EndpointListTemplates, Kind: graphsim.FaultRateLimit, Times: 1},
			call: func(c *graph.Client) error {
				_, err := c.ListTemplates(ctx, wabaID, graph.TemplateFilter{})
				return err
			},
			endpoint: graphsim.EndpointListTemplates, wantErr: true, wantCalls: 1,
		},
		"NoRetryOnCreate": {
			reason: "a template create is never re-POSTed",
			fault:  graphsim.Fault{Endpoint: graphsim.EndpointCreateTemplate, Kind: graphsim.FaultServerError, Status: 500, Times: 1},
			call: func(c *graph.Client) error {
				_, err := c.CreateTemplate(ctx, wabaID, graph.TemplateSpec{Name: "n", Language: "en", Category: "UTILITY", Components: bodyComponents("x")})
				return err
			},
			endpoint: graphsim.EndpointCreateTemplate, wantErr: true, wantCalls: 1,
		},
		"NoRetryOnSend": {
			reason: "a message send is never retried (it could deliver twice)",
			fault:  graphsim.Fault{Endpoint: graphsim.EndpointSendMessage, Kind: graphsim.FaultServerError, Status: 500, Times: 1},
			call: func(c *graph.Client) error {
				_, err := c.SendMessage(ctx, phoneID, []byte(`{"messaging_product":"whatsapp","to":"1","text":{"body":"x"}}`))
				return err
			},
			endpoint: graphsim.EndpointSendMessage, wantErr: true, wantCalls: 1,
		},
		"NoRetryOnRegister": {
			reason:   "register counts against Meta's attempt budget and is not retried",
			fault:    graphsim.Fault{Endpoint: graphsim.EndpointRegisterPhoneNumber, Kind: graphsim.FaultServerError, Status: 500, Times: 1},
			call:     func(c *graph.Client) error { return c.RegisterPhoneNumber(ctx, phoneID, testPIN) },
			endpoint: graphsim.EndpointRegisterPhoneNumber, wantErr: true, wantCalls: 1,
		},
		"SubscribeRetried": {
			reason:   "subscribing is idempotent and retried",
			fault:    graphsim.Fault{Endpoint: graphsim.EndpointSubscribeApp, Kind: graphsim.FaultServerError, Status: 500, Times: 1},
			call:     func(c *graph.Client) error { return c.SubscribeApp(ctx, wabaID, nil) },
			endpoint: graphsim.EndpointSubscribeApp, wantCalls: 2,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			e.sim.InjectFault(tc.fault)
			err := tc.call(e.client)
			if (err != nil) != tc.wantErr {
				t.Fatalf("%s: err=%v, wantErr=%v", tc.reason, err, tc.wantErr)
			}
			if n := e.sim.Calls(tc.endpoint); n != tc.wantCalls && !(tc.atLeast && n > tc.wantCalls) {
				t.Errorf("%s: %d calls, want %d", tc.reason, n, tc.wantCalls)
			}
		})
	}
}

func TestRetryAfterTimeout(t *testing.T) {
	e := newEnv(t, withHTTPClient(&http.Client{Timeout: 100 * time.Millisecond}))
	e.sim.InjectFault(graphsim.Fault{Endpoint: graphsim.EndpointGetBusinessAccount, Kind: graphsim.FaultSlow, Delay: 10 * time.Second, Times: 1})
	if _, err := e.client.GetBusinessAccount(context.Background(), wabaID); err != nil {
		t.Fatalf("a timed-out GET is retried and the retry succeeds: %v", err)
	}
	if n := e.sim.Calls(graphsim.EndpointGetBusinessAccount); n != 2 {
		t.Errorf("want 2 calls, got %d", n)
	}
}

func TestRetryRespectsDeadline(t *testing.T) {
	e := newEnv(t)
	c := graph.New(graph.Config{BaseURL: e.srv.URL, Limits: graph.Limits{Disabled: true},
		Retry: graph.RetryPolicy{MaxAttempts: 5, BaseDelay: time.Hour, MaxDelay: time.Hour}}, testToken)
	e.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultServerError, Status: 500})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.GetBusinessAccount(ctx, wabaID)
	if graph.Classify(err) != graph.ClassTransient {
		t.Fatalf("want the transient error back, got %v", err)
	}
	if n := e.sim.Calls(graphsim.EndpointGetBusinessAccount); n != 1 {
		t.Errorf("a backoff longer than the deadline is not slept: %d calls", n)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("the call should return well before the deadline")
	}
}
