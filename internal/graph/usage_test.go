package graph_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kubechat/whatsapp-operator/internal/graph"
)

func TestParseBusinessUseCaseUsage(t *testing.T) {
	cases := map[string]struct {
		reason string
		header string
		want   map[string][]graph.Usage
	}{
		"Meta": {
			reason: "Meta's example: percentages and minutes to regain access",
			header: `{"102290129340398":[{"type":"whatsapp_business_management","call_count":37,"total_cputime":2,"total_time":4,"estimated_time_to_regain_access":3},{"type":"whatsapp","call_count":1,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":0}]}`,
			want: map[string][]graph.Usage{"102290129340398": {
				{Type: "whatsapp_business_management", CallCount: 37, TotalCPUTime: 2, TotalTime: 4, RegainAccessIn: 3 * time.Minute},
				{Type: "whatsapp", CallCount: 1, TotalCPUTime: 1, TotalTime: 1},
			}},
		},
		"Absent":    {reason: "no header is no reading, not zero usage", header: "", want: nil},
		"Malformed": {reason: "a malformed header is ignored", header: "{not json", want: nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := http.Header{}
			if tc.header != "" {
				h.Set(graph.HeaderBusinessUseCaseUsage, tc.header)
			}
			if diff := cmp.Diff(tc.want, graph.ParseBusinessUseCaseUsage(h)); diff != "" {
				t.Errorf("%s: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestParseAppUsage(t *testing.T) {
	h := http.Header{}
	h.Set(graph.HeaderAppUsage, `{"call_count":12,"total_cputime":80,"total_time":5}`)
	u, ok := graph.ParseAppUsage(h)
	if !ok || u.Percent() != 80 {
		t.Errorf("the app usage percent is the highest of the three, got %+v %v", u, ok)
	}
}

func TestStretchInterval(t *testing.T) {
	cases := map[string]struct {
		reason  string
		percent int
		want    time.Duration
	}{
		"Below": {reason: "below the threshold the interval stands", percent: 50, want: 10 * time.Minute},
		"Half":  {reason: "halfway from 75 to 100 stretches 2.5x", percent: 87, want: 24*time.Minute + 24*time.Second},
		"Full":  {reason: "at 100% and beyond, 4x", percent: 130, want: 40 * time.Minute},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := graph.UsageReading{Percent: tc.percent}.StretchInterval(10*time.Minute, 75)
			if got != tc.want {
				t.Errorf("%s: got %s, want %s", tc.reason, got, tc.want)
			}
		})
	}
}
