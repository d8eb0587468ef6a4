package webhookserver

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestServerEndpoints(t *testing.T) {
	type want struct {
		code     int
		contains string
	}
	cases := map[string]struct {
		reason  string
		method  string
		path    string
		mutate  func(*Options)
		notSync bool
		want    want
	}{
		"Healthz": {
			reason: "liveness answers as long as the process serves",
			method: http.MethodGet, path: PathHealthz,
			want: want{code: http.StatusOK, contains: "ok"},
		},
		"Readyz": {
			reason: "ready once routes are synced and credentials loaded",
			method: http.MethodGet, path: PathReadyz,
			want: want{code: http.StatusOK, contains: "ok"},
		},
		"ReadyzNotSynced": {
			reason: "not ready before the caches synced",
			method: http.MethodGet, path: PathReadyz, notSync: true,
			want: want{code: http.StatusServiceUnavailable, contains: "caches not synced"},
		},
		"Metrics": {
			reason: "metrics are served on the public port by default",
			method: http.MethodGet, path: PathMetrics,
			want: want{code: http.StatusOK, contains: "whatsapp_webhook_routes"},
		},
		"MetricsElsewhere": {
			reason: "with a metrics address, the public port does not serve /metrics",
			method: http.MethodGet, path: PathMetrics, mutate: func(o *Options) { o.MetricsBindAddress = "127.0.0.1:0" },
			want: want{code: http.StatusNotFound, contains: "not found"},
		},
		"MethodNotAllowed": {
			reason: "only GET and POST on /webhook",
			method: http.MethodPut, path: PathWebhook,
			want: want{code: http.StatusMethodNotAllowed, contains: "method_not_allowed"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var mutate []func(*Options)
			if tc.mutate != nil {
				mutate = append(mutate, tc.mutate)
			}
			ts := newTestServer(t, nil, mutate...)
			if tc.notSync {
				ts.table.Store(nil)
			}
			req, _ := http.NewRequest(tc.method, ts.url+tc.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			got := want{code: resp.StatusCode, contains: tc.want.contains}
			if !strings.Contains(string(body), tc.want.contains) {
				got.contains = string(body)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\n%s %s: -want, +got:\n%s", tc.reason, tc.method, tc.path, diff)
			}
		})
	}
}
