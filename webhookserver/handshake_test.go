package webhookserver

import (
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHandshake(t *testing.T) {
	ts := newTestServer(t, nil)
	type want struct {
		code int
		body string
	}
	cases := map[string]struct {
		reason string
		query  url.Values
		want   want
	}{
		"Subscribe": {
			reason: "subscribe with the right token echoes the raw challenge",
			query:  url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {testVerifyToken}, "hub.challenge": {"1158201444"}},
			want:   want{code: http.StatusOK, body: "1158201444"},
		},
		"WrongToken": {
			reason: "a wrong token is refused",
			query:  url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"nope"}, "hub.challenge": {"1"}},
			want:   want{code: http.StatusForbidden, body: "forbidden\n"},
		},
		"TokenPrefix": {
			reason: "a prefix of the token is refused",
			query:  url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {testVerifyToken[:5]}, "hub.challenge": {"1"}},
			want:   want{code: http.StatusForbidden, body: "forbidden\n"},
		},
		"WrongMode": {
			reason: "only hub.mode=subscribe is answered",
			query:  url.Values{"hub.mode": {"unsubscribe"}, "hub.verify_token": {testVerifyToken}, "hub.challenge": {"1"}},
			want:   want{code: http.StatusForbidden, body: "forbidden\n"},
		},
		"NoQuery": {
			reason: "a bare GET is refused",
			query:  url.Values{},
			want:   want{code: http.StatusForbidden, body: "forbidden\n"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resp, err := http.Get(ts.url + PathWebhook + "?" + tc.query.Encode())
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if diff := cmp.Diff(tc.want, want{code: resp.StatusCode, body: string(body)}, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nGET /webhook: -want, +got:\n%s", tc.reason, diff)
			}
			if resp.StatusCode == http.StatusOK && resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
				t.Errorf("%s\nContent-Type = %q, want text/plain", tc.reason, resp.Header.Get("Content-Type"))
			}
		})
	}
}
