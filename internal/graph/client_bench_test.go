package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/kubechat/whatsapp-operator/internal/benchratio"
	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// The benchmarks of this file report ratios, not times: on shared machines
// absolute ns/op is noise, but the client and a bare http.Client timed in
// interleaved rounds, in one process, against one simulator over one
// loopback transport, cancel most of the machine's speed and load.
//
// The client runs as in production: limiters on (sized so they never make a
// call wait: their bookkeeping is timed, not their refusals), retries at
// their defaults (no call fails, so none is retried), metrics recorded, V(1)
// logging discarded. The simulator's usage header is pinned at 10% so that
// every answer carries one to parse and the limiters never slow down.

// benchTemplates is the size of the template listing: three pages of 100.
const benchTemplates = 250

// BenchmarkClientGetPhoneNumber times GetPhoneNumber against the simulator.
//
//   - x-rawget: the client / a bare http.Client GET of the very URL, with
//     the very headers, the client sent (recorded once beforehand), the
//     body read and decoded into the same graph.PhoneNumber. The ratio is
//     what the client adds per call on the happy path: scrubber, limiter,
//     usage-header parsing, metrics, logging. About 1.26 when written: the
//     simulator's answer dominates both sides. Above about 1.5 the client
//     costs half as much again as the HTTP round trip; worth a profile.
func BenchmarkClientGetPhoneNumber(b *testing.B) {
	ctx := context.Background()
	s := newBenchGraph(b, 0)
	client := graph.New(s.config(), testToken)
	sent := s.record(b, func(c *graph.Client) error {
		_, err := c.GetPhoneNumber(ctx, phoneID)
		return err
	})
	if len(sent) != 1 {
		b.Fatalf("GetPhoneNumber sent %d requests, want 1", len(sent))
	}
	ours := func() error {
		p, err := client.GetPhoneNumber(ctx, phoneID)
		if err == nil && p.ID != phoneID {
			err = fmt.Errorf("got phone number %q", p.ID)
		}
		return err
	}
	raw := func() error {
		var p graph.PhoneNumber
		if err := s.rawGet(ctx, sent[0], &p); err != nil {
			return err
		}
		if p.ID != phoneID {
			return fmt.Errorf("got phone number %q", p.ID)
		}
		return nil
	}
	benchratio.Run(b, ours, benchratio.Baseline{Unit: "x-rawget", Op: raw})
}

// BenchmarkClientListTemplates times ListTemplates of 250 templates, which
// the client fetches as three pages of 100.
//
//   - x-rawget: the client / three bare GETs of the three URLs the client
//     sent (recorded once beforehand), each page decoded into the same
//     graph.Template slice. On top of the per-call overhead of
//     BenchmarkClientGetPhoneNumber, the ratio includes cursor handling and
//     remembering each template's WABA for the limiters. About 1.04 when
//     written (decoding 250 templates dominates both sides); a value above
//     BenchmarkClientGetPhoneNumber's points at paging (copying,
//     re-decoding, per-item work), not at the transport.
func BenchmarkClientListTemplates(b *testing.B) {
	ctx := context.Background()
	s := newBenchGraph(b, benchTemplates)
	client := graph.New(s.config(), testToken)
	sent := s.record(b, func(c *graph.Client) error {
		_, err := c.ListTemplates(ctx, wabaID, graph.TemplateFilter{})
		return err
	})
	if len(sent) != 3 {
		b.Fatalf("ListTemplates of %d sent %d requests, want 3", benchTemplates, len(sent))
	}
	ours := func() error {
		list, err := client.ListTemplates(ctx, wabaID, graph.TemplateFilter{})
		if err == nil && len(list) != benchTemplates {
			err = fmt.Errorf("listed %d templates, want %d", len(list), benchTemplates)
		}
		return err
	}
	raw := func() error {
		var all []graph.Template
		for _, r := range sent {
			var p struct {
				Data []graph.Template `json:"data"`
			}
			if err := s.rawGet(ctx, r, &p); err != nil {
				return err
			}
			all = append(all, p.Data...)
		}
		if len(all) != benchTemplates {
			return fmt.Errorf("listed %d templates, want %d", len(all), benchTemplates)
		}
		return nil
	}
	benchratio.Run(b, ours, benchratio.Baseline{Unit: "x-rawget", Op: raw})
}

// benchGraph is a seeded simulator over loopback and the HTTP client that
// both the client under test and the raw baseline use.
type benchGraph struct {
	url string
	hc  *http.Client
}

// newBenchGraph seeds an app, a WABA, a number, a token and templates.
func newBenchGraph(b *testing.B, templates int) *benchGraph {
	b.Helper()
	sim := graphsim.New(graphsim.Options{})
	sim.AddApp(graphsim.App{ID: appID, Name: "Acme Bot App", Secret: testAppSecret})
	sim.AddWABA(graphsim.WABA{ID: wabaID, Name: "Acme Support"})
	if _, err := sim.AddPhoneNumber(wabaID, graphsim.PhoneNumber{ID: phoneID, DisplayPhoneNumber: "+1 202-555-0123", VerifiedName: "Acme Support"}); err != nil {
		b.Fatal(err)
	}
	sim.AddToken(graphsim.Token{Value: testToken, AppID: appID, WABAs: []string{wabaID}})
	for i := range templates {
		if _, err := sim.AddTemplate(wabaID, graphsim.Template{Name: fmt.Sprintf("tpl_%03d", i), Language: "en", Category: "UTILITY", Status: "APPROVED"}); err != nil {
			b.Fatal(err)
		}
	}
	if err := sim.SetUsage(wabaID, graphsim.Usage{CallCount: 10, TotalCPUTime: 5, TotalTime: 5}); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	tr := &http.Transport{MaxIdleConns: 16, MaxIdleConnsPerHost: 8}
	b.Cleanup(func() {
		tr.CloseIdleConnections()
		srv.Close()
		sim.Close()
	})
	return &benchGraph{url: srv.URL, hc: &http.Client{Transport: tr, Timeout: graph.DefaultTimeout}}
}

// config is the production configuration against the simulator, with
// limits no benchmark can exhaust.
func (s *benchGraph) config() graph.Config {
	const unlimited = 1 << 30
	return graph.Config{
		BaseURL:    s.url,
		Version:    graph.DefaultVersion,
		HTTPClient: s.hc,
		Limits: graph.Limits{
			ManagementPerHour:           unlimited,
			RegisteredManagementPerHour: unlimited,
			TemplateCreatesPerHour:      unlimited,
		},
	}
}

// benchSent is one request as the client sent it.
type benchSent struct {
	url    string
	header http.Header
}

// record runs call once with a client whose transport records the requests.
func (s *benchGraph) record(b *testing.B, call func(*graph.Client) error) []benchSent {
	b.Helper()
	rec := &benchRecorder{next: s.hc.Transport}
	cfg := s.config()
	cfg.HTTPClient = &http.Client{Transport: rec}
	if err := call(graph.New(cfg, testToken)); err != nil {
		b.Fatal(err)
	}
	return rec.sent
}

// benchRecorder records the URL and headers of every request.
type benchRecorder struct {
	next http.RoundTripper
	sent []benchSent
}

func (r *benchRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.sent = append(r.sent, benchSent{url: req.URL.String(), header: req.Header.Clone()})
	return r.next.RoundTrip(req)
}

// rawGet is the baseline: GET, read, want 200, decode.
func (s *benchGraph) rawGet(ctx context.Context, r benchSent, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return err
	}
	req.Header = r.header.Clone()
	resp, err := s.hc.Do(req)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET: HTTP %d: %s", resp.StatusCode, body)
	}
	return json.Unmarshal(body, out)
}
