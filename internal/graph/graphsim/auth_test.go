package graphsim_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

func TestAuth(t *testing.T) {
	cases := map[string]struct {
		reason      string
		setup       func(*simEnv)
		path, tok   string
		wantStatus  int
		wantCode    int
		wantSubcode int
		wantType    string
	}{
		"Valid": {
			reason: "a valid Bearer token reads its WABA", path: "/v25.0/" + wabaID, tok: token, wantStatus: 200,
		},
		"QueryParameter": {
			reason: "access_token in the query is accepted too", path: "/v25.0/" + wabaID + "?access_token=" + token, wantStatus: 200,
		},
		"AnyVersion": {
			reason: "any vNN.N version path is served", path: "/v19.0/" + wabaID, tok: token, wantStatus: 200,
		},
		"NoToken": {
			reason: "no token is code 104", path: "/v25.0/" + wabaID, wantStatus: 400, wantCode: 104, wantType: "OAuthException",
		},
		"UnknownToken": {
			reason: "an unknown token is 190 with HTTP 401", path: "/v25.0/" + wabaID, tok: "nope", wantStatus: 401, wantCode: 190, wantType: "OAuthException",
		},
		"Revoked": {
			reason: "a revoked token is 190/460 with HTTP 401",
			setup:  func(e *simEnv) { _ = e.sim.RevokeToken(token) },
			path:   "/v25.0/" + wabaID, tok: token, wantStatus: 401, wantCode: 190, wantSubcode: 460, wantType: "OAuthException",
		},
		"Expired": {
			reason: "an expired token is 190/463",
			setup: func(e *simEnv) {
				e.sim.AddToken(graphsim.Token{Value: "short", AppID: appID, ExpiresAt: e.clock.Now().Add(time.Hour)})
				e.clock.Advance(2 * time.Hour)
			},
			path: "/v25.0/" + wabaID, tok: "short", wantStatus: 401, wantCode: 190, wantSubcode: 463,
		},
		"NotShared": {
			reason: "a WABA the token does not reach looks missing: 100/33",
			setup:  func(e *simEnv) { e.sim.AddToken(graphsim.Token{Value: "other", AppID: appID, WABAs: []string{"1"}}) },
			path:   "/v25.0/" + wabaID, tok: "other", wantStatus: 400, wantCode: 100, wantSubcode: 33, wantType: "GraphMethodException",
		},
		"MissingScope": {
			reason: "a messaging-only token cannot manage: 200 with HTTP 403",
			setup: func(e *simEnv) {
				e.sim.AddToken(graphsim.Token{Value: "msg", AppID: appID, Scopes: []string{graphsim.ScopeMessaging}})
			},
			path: "/v25.0/" + wabaID + "/message_templates", tok: "msg", wantStatus: 403, wantCode: 200,
		},
		"NoVersion": {
			reason: "an unversioned path is refused", path: "/" + wabaID + "/phone_numbers", tok: token, wantStatus: 400, wantCode: 2500,
		},
		"UnknownObject": {
			reason: "an unknown id is 100/33", path: "/v25.0/424242", tok: token, wantStatus: 400, wantCode: 100, wantSubcode: 33,
		},
		"InvalidTokenBeforeUnknownObject": {
			reason: "authentication comes before object lookup", path: "/v25.0/424242", tok: "nope", wantStatus: 401, wantCode: 190,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newSimEnv(t, graphsim.Options{})
			if tc.setup != nil {
				tc.setup(e)
			}
			a := e.call(t, http.MethodGet, tc.path, tc.tok, nil)
			if a.status != tc.wantStatus {
				t.Fatalf("%s: HTTP %d, want %d (%v)", tc.reason, a.status, tc.wantStatus, a.body)
			}
			code, sub := a.errCode()
			if code != tc.wantCode || sub != tc.wantSubcode {
				t.Errorf("%s: code %d/%d, want %d/%d", tc.reason, code, sub, tc.wantCode, tc.wantSubcode)
			}
			if tc.wantType != "" && a.errField("type") != tc.wantType {
				t.Errorf("%s: type %q, want %q", tc.reason, a.errField("type"), tc.wantType)
			}
			if tc.wantCode != 0 && a.errField("fbtrace_id") == "" {
				t.Errorf("%s: every error carries an fbtrace_id", tc.reason)
			}
		})
	}
}

func TestDebugTokenAuth(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{})
	cases := map[string]struct {
		reason     string
		query      string
		wantStatus int
		wantValid  bool
	}{
		"AppToken":    {reason: "app id|secret inspects a token", query: "input_token=" + token + "&access_token=" + appID + "|" + secret, wantStatus: 200, wantValid: true},
		"WrongSecret": {reason: "a wrong app secret is 190", query: "input_token=" + token + "&access_token=" + appID + "|bad", wantStatus: 401},
		"Unknown":     {reason: "an unknown input token is reported invalid, not an error", query: "input_token=zzz&access_token=" + appID + "|" + secret, wantStatus: 200},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := e.call(t, http.MethodGet, "/v25.0/debug_token?"+tc.query, "", nil)
			if a.status != tc.wantStatus {
				t.Fatalf("%s: HTTP %d (%v)", tc.reason, a.status, a.body)
			}
			if a.status == 200 {
				data, _ := a.body["data"].(map[string]any)
				if valid, _ := data["is_valid"].(bool); valid != tc.wantValid {
					t.Errorf("%s: is_valid=%v", tc.reason, valid)
				}
			}
		})
	}
}
