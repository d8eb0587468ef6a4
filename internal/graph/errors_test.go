package graph_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// TestErrorClassesOverHTTP drives every class through the simulator and
// checks what the client makes of Meta's answer.
func TestErrorClassesOverHTTP(t *testing.T) {
	ctx := context.Background()
	cases := map[string]struct {
		reason     string
		setup      func(*testing.T, *env)
		call       func(*graph.Client) error
		wantClass  graph.Class
		wantCode   int
		wantStatus int
	}{
		"RevokedToken": {
			reason:    "a revoked token answers 190 with HTTP 401",
			setup:     func(t *testing.T, e *env) { _ = e.sim.RevokeToken(testToken) },
			call:      func(c *graph.Client) error { _, err := c.GetBusinessAccount(ctx, wabaID); return err },
			wantClass: graph.ClassBadCredentials, wantCode: 190, wantStatus: http.StatusUnauthorized,
		},
		"MissingScope": {
			reason: "a token without the management scope gets 200 (permission)",
			setup: func(t *testing.T, e *env) {
				e.sim.AddToken(graphsim.Token{Value: testToken, AppID: appID, Scopes: []string{graphsim.ScopeMessaging}})
			},
			call: func(c *graph.Client) error {
				_, err := c.ListTemplates(ctx, wabaID, graph.TemplateFilter{})
				return err
			},
			wantClass: graph.ClassPermission, wantCode: 200, wantStatus: http.StatusForbidden,
		},
		"WABANotShared": {
			reason:    "a WABA the token does not reach looks like a missing object (100/33)",
			setup:     func(t *testing.T, e *env) { e.sim.AddWABA(graphsim.WABA{ID: "999", Name: "Other"}) },
			call:      func(c *graph.Client) error { _, err := c.GetBusinessAccount(ctx, "999"); return err },
			wantClass: graph.ClassNotFound, wantCode: 100, wantStatus: http.StatusBadRequest,
		},
		"RateLimited": {
			reason: "80007 arrives as HTTP 400 and is classified by code",
			setup: func(t *testing.T, e *env) {
				e.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultRateLimit, Code: 80007, RegainMinutes: 10, Times: 1})
			},
			call:      func(c *graph.Client) error { _, err := c.ListPhoneNumbers(ctx, wabaID); return err },
			wantClass: graph.ClassRateLimited, wantCode: 80007, wantStatus: http.StatusBadRequest,
		},
		"WindowClosed": {
			reason: "a free-form send after the window closed is 131047",
			setup:  func(t *testing.T, e *env) { _ = e.sim.CloseWindow(phoneID, "16505551234") },
			call: func(c *graph.Client) error {
				_, err := c.SendMessage(ctx, phoneID, []byte(`{"messaging_product":"whatsapp","to":"16505551234","type":"text","text":{"body":"x"}}`))
				return err
			},
			wantClass: graph.ClassWindowClosed, wantCode: 131047, wantStatus: http.StatusBadRequest,
		},
		"TemplateMissing": {
			reason: "sending a template that is not approved in that language is 132001 (HTTP 404)",
			call: func(c *graph.Client) error {
				_, err := c.SendMessage(ctx, phoneID, []byte(`{"messaging_product":"whatsapp","to":"1","type":"template","template":{"name":"nope","language":{"code":"en"}}}`))
				return err
			},
			wantClass: graph.ClassTemplate, wantCode: 132001, wantStatus: http.StatusNotFound,
		},
		"UnknownObject": {
			reason:    "an unknown phone number id is 100/33",
			call:      func(c *graph.Client) error { _, err := c.GetPhoneNumber(ctx, "123"); return err },
			wantClass: graph.ClassNotFound, wantCode: 100, wantStatus: http.StatusBadRequest,
		},
		"NotRegistered": {
			reason: "sending from an unregistered number is 133010",
			setup: func(t *testing.T, e *env) {
				_ = e.sim.UpdatePhoneNumber(phoneID, func(p *graphsim.PhoneNumber) { p.PlatformType = "NOT_APPLICABLE" })
			},
			call: func(c *graph.Client) error {
				_, err := c.SendMessage(ctx, phoneID, []byte(`{"messaging_product":"whatsapp","to":"1","type":"text","text":{"body":"x"}}`))
				return err
			},
			wantClass: graph.ClassNotFound, wantCode: 133010, wantStatus: http.StatusBadRequest,
		},
		"ServerError": {
			reason: "a 5xx is transient (after retries)",
			setup: func(t *testing.T, e *env) {
				e.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultServerError, Status: 500})
			},
			call:      func(c *graph.Client) error { _, err := c.GetBusinessAccount(ctx, wabaID); return err },
			wantClass: graph.ClassTransient, wantCode: 1, wantStatus: http.StatusInternalServerError,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			if tc.setup != nil {
				tc.setup(t, e)
			}
			err := tc.call(e.client)
			if got := graph.Classify(err); got != tc.wantClass {
				t.Fatalf("%s: class %q, want %q (err %v)", tc.reason, got, tc.wantClass, err)
			}
			var me *graph.Error
			if !errors.As(err, &me) {
				t.Fatalf("%s: want *graph.Error, got %T", tc.reason, err)
			}
			if me.Code != tc.wantCode || me.HTTPStatus != tc.wantStatus || me.FBTraceID == "" || !me.FromMeta {
				t.Errorf("%s: got code %d HTTP %d fbtrace %q, want code %d HTTP %d", tc.reason, me.Code, me.HTTPStatus, me.FBTraceID, tc.wantCode, tc.wantStatus)
			}
			if d := graph.Describe(err); !strings.Contains(d, me.FBTraceID) || !strings.Contains(d, "code") {
				t.Errorf("%s: Describe should name the code and fbtrace_id: %q", tc.reason, d)
			}
		})
	}
}

func TestRateLimitRetryAfterFromUsageHeader(t *testing.T) {
	e := newEnv(t, withLimits(graph.Limits{ManagementPerHour: 100000}))
	e.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultRateLimit, Code: 80007, RegainMinutes: 10, Times: 1})
	_, err := e.client.ListPhoneNumbers(context.Background(), wabaID)
	if got := graph.RetryAfter(err); got != 10*time.Minute {
		t.Fatalf("RetryAfter should come from estimated_time_to_regain_access (10 min), got %s (%v)", got, err)
	}
	// The WABA stays blocked locally until then: no call reaches Meta.
	_, err = e.client.GetBusinessAccount(context.Background(), wabaID)
	var le *graph.LimitError
	if !errors.As(err, &le) || le.Budget != graph.BudgetUsage {
		t.Fatalf("calls during the block are refused locally, got %v", err)
	}
	if n := e.sim.Calls(graphsim.EndpointGetBusinessAccount); n != 0 {
		t.Errorf("no call should reach Meta while blocked, got %d", n)
	}
}

func TestRateLimitDefaultRetryAfter(t *testing.T) {
	cases := map[string]struct {
		reason string
		code   int
		want   time.Duration
	}{
		"Management": {reason: "a management code without header waits minutes", code: 4, want: 5 * time.Minute},
		"Throughput": {reason: "throughput waits a second", code: 130429, want: time.Second},
		"Pair":       {reason: "the pair limit waits six seconds", code: 131056, want: 6 * time.Second},
		"Spam":       {reason: "the spam rate limit restricts the number for hours: wait long", code: 131048, want: time.Hour},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			e.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultRateLimit, Code: tc.code, Times: 1})
			_, err := e.client.SendMessage(context.Background(), phoneID, []byte(`{"messaging_product":"whatsapp","to":"1","type":"text","text":{"body":"x"}}`))
			if got := graph.RetryAfter(err); got != tc.want {
				t.Errorf("%s: RetryAfter %s, want %s (%v)", tc.reason, got, tc.want, err)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	cases := map[string]struct {
		reason string
		err    error
		want   []string
	}{
		"BadCredentials": {
			reason: "names code, subcode, fbtrace and the fix",
			err:    &graph.Error{HTTPStatus: 401, Code: 190, Subcode: 463, FromMeta: true, Message: "Error validating access token", FBTraceID: "AbC", Endpoint: graph.EndpointGetBusinessAccount},
			want:   []string{"get business account", "code 190", "subcode 463", "fbtrace_id AbC", "new system-user token"},
		},
		"LocalLimit": {
			reason: "a local refusal says which budget and when",
			err:    &graph.LimitError{Endpoint: graph.EndpointEditTemplate, Budget: graph.BudgetTemplateEdit, RetryAfter: 90 * time.Minute},
			want:   []string{"edit template", "template_edit", "1h30m0s", "24 hours"},
		},
		"CallbackVerification": {
			reason: "2200 says the callback URL must be reachable and answer the handshake",
			err:    &graph.Error{HTTPStatus: 400, Code: 2200, FromMeta: true, Message: "(#2200) Callback verification failed", Endpoint: graph.EndpointSubscribeApp},
			want:   []string{"code 2200", "could not verify the callback URL", "reachable from the internet over HTTPS", "verification handshake"},
		},
		"Timeout": {
			reason: "a timeout says so",
			err:    &graph.TransportError{Endpoint: graph.EndpointListTemplates, Timeout: true},
			want:   []string{"timed out", "retries"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d := graph.Describe(tc.err)
			for _, w := range tc.want {
				if !strings.Contains(d, w) {
					t.Errorf("%s: %q lacks %q", tc.reason, d, w)
				}
			}
			if strings.Contains(d, "\n") {
				t.Errorf("%s: Describe must be one line: %q", tc.reason, d)
			}
		})
	}
}

// TestErrorWithoutCode: a proxy or Meta's edge may answer an error object
// without a code. That is not code 0 (AuthException): it is classified by
// HTTP status and never flips the credentials to bad.
func TestErrorWithoutCode(t *testing.T) {
	const noCode = `{"error":{"message":"An unexpected error has occurred. Please retry your request later."}}`
	cases := map[string]struct {
		reason    string
		status    int
		body      string
		wantClass graph.Class
		wantCalls int
	}{
		"500": {reason: "a 500 without a code is transient and retried", status: 500, body: noCode, wantClass: graph.ClassTransient, wantCalls: 3},
		"502": {reason: "a 502 without a code is transient and retried", status: 502, body: noCode, wantClass: graph.ClassTransient, wantCalls: 3},
		"429": {reason: "a 429 without a code is rate limited", status: 429, body: noCode, wantClass: graph.ClassRateLimited, wantCalls: 1},
		"401": {reason: "a 401 without a code is not bad credentials", status: 401, body: noCode, wantClass: graph.ClassPermanent, wantCalls: 1},
		"Code0": {reason: "Meta's explicit code 0 is still AuthException", status: 401,
			body: `{"error":{"message":"(#0) Cannot authenticate","type":"OAuthException","code":0}}`, wantClass: graph.ClassBadCredentials, wantCalls: 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			e := newEnv(t)
			cfg := e.cfg
			cfg.BaseURL = srv.URL
			_, err := graph.New(cfg, testToken).ListPhoneNumbers(context.Background(), wabaID)
			if got := graph.Classify(err); got != tc.wantClass {
				t.Fatalf("%s: class %q, want %q (%v)", tc.reason, got, tc.wantClass, err)
			}
			if n := int(calls.Load()); n != tc.wantCalls {
				t.Errorf("%s: %d calls, want %d", tc.reason, n, tc.wantCalls)
			}
			d := graph.Describe(err)
			if tc.wantClass != graph.ClassBadCredentials && strings.Contains(d, "system-user token") {
				t.Errorf("%s: Describe must not blame the token: %q", tc.reason, d)
			}
			if tc.wantClass != graph.ClassBadCredentials && strings.Contains(err.Error(), "code 0") {
				t.Errorf("%s: the error must not claim code 0: %q", tc.reason, err.Error())
			}
		})
	}
}

// TestErrorBodyScrubbedBeforeCap: the body kept on *Error is capped, but
// only after scrubbing, so a credential cut by the cap cannot leave a
// recognisable prefix behind.
func TestErrorBodyScrubbedBeforeCap(t *testing.T) {
	const maxBodyInError = 64 << 10
	prefix := `{"error":{"message":"`
	pad := strings.Repeat("x", maxBodyInError-len(prefix)-10)
	body := prefix + pad + testToken + `","code":1}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	e := newEnv(t)
	cfg := e.cfg
	cfg.BaseURL = srv.URL
	cfg.Retry.MaxAttempts = 1
	_, err := graph.New(cfg, testToken).GetBusinessAccount(context.Background(), wabaID)
	var me *graph.Error
	if !errors.As(err, &me) {
		t.Fatalf("want *graph.Error, got %v", err)
	}
	if len(me.Body) > maxBodyInError {
		t.Errorf("body kept is %d bytes, want at most %d", len(me.Body), maxBodyInError)
	}
	if cut := testToken[:10]; strings.Contains(string(me.Body), cut) {
		t.Errorf("the capped body keeps the token's prefix %q", cut)
	}
}
