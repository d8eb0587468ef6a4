package webhookserver

import (
	"fmt"
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

// seriesOf returns the label sets of every series of a metric family.
func seriesOf(t *testing.T, ts *testServer, name string) []map[string]string {
	t.Helper()
	families, err := ts.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, lp := range m.GetLabel() {
				labels[lp.GetName()] = lp.GetValue()
			}
			out = append(out, labels)
		}
	}
	return out
}

func TestRequestsMethodLabelIsBounded(t *testing.T) {
	ts := newTestServer(t, nil)
	const odd = 50
	for i := range odd {
		req, _ := http.NewRequest(fmt.Sprintf("FOO%d", i), ts.url+PathWebhook, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("%s: got %d, want 405", req.Method, resp.StatusCode)
		}
	}
	want := []map[string]string{{"method": "other", "outcome": "method_not_allowed"}}
	if diff := cmp.Diff(want, seriesOf(t, ts, "whatsapp_webhook_requests_total")); diff != "" {
		t.Errorf("any client can choose the method: odd ones must share one series, not make %d\n-want, +got:\n%s", odd, diff)
	}
	if n := counter(t, ts.registry, "whatsapp_webhook_requests_total", map[string]string{"method": "other"}); n != odd {
		t.Errorf("every odd request is still counted: %v, want %d", n, odd)
	}
}
