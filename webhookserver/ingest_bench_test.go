package webhookserver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"slices"
	"testing"
	"time"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/benchratio"
	"github.com/kubechat/whatsapp-operator/internal/loadgen"
)

// Load shapes of BenchmarkIngest (issue 14): Meta's side is 16 keep-alive
// clients; the steady rate is what a number upgraded to 1,000 messages/s
// brings.
const (
	ingestClients  = 16
	ingestRate     = 1000
	ingestOpenLoop = 3 * time.Second
	// ingestMemLimit is GOMEMLIMIT as the managed Deployment sets it (90%
	// of its 256Mi memory limit, internal/webhookresources).
	ingestMemLimit    = 230 << 20
	ingestMaxInFlight = 512
)

// BenchmarkIngest compares the webhook server with a bare forwarder
// (loadgen.BareForwarder: verify the HMAC, forward the raw bytes, answer 200
// after the chatbot's 2xx) in the same run, under GOMEMLIMIT as the
// Deployment sets it, for one-message bodies and for 10-message batches
// spread over two numbers (whose channels have different chatbots; the
// bare forwarder sends the whole batch to both).
//
//   - closed: 16 clients as fast as answers come. x-bare-tput is ours/bare
//     requests per second (higher is better; issue 14 asks ≥ 0.8 for one
//     message, ≥ 0.7 for batches); req/s and bare-req/s the medians;
//     allocs/req and B/req (bare-allocs/req, bare-B/req) count the whole
//     process: Meta's client, the server and the chatbot stubs.
//   - open: 1,000 requests per second for 3 s, latency from each request's
//     scheduled time: p50-ms and p99-ms (issue 14 asks p99 ≤ 5 ms), the bare
//     forwarder's beside them, peak-MiB, the most memory the process held
//     from the system meanwhile (the Deployment's limit is 256 MiB), and
//     non200-%, the requests shed with 503 when the server falls behind.
func BenchmarkIngest(b *testing.B) {
	prev := debug.SetMemoryLimit(ingestMemLimit)
	b.Cleanup(func() { debug.SetMemoryLimit(prev) })
	cases := []struct {
		name    string
		body    func(testing.TB) []byte
		numbers int
	}{
		{"messages=1", benchTextFixture, 1},
		{"messages=10", func(tb testing.TB) []byte { return benchBatch(tb, 5) }, 2},
	}
	for _, tc := range cases {
		rig := newIngestRig(b, tc.body(b), tc.numbers)
		b.Run(tc.name+"/closed", rig.closed)
		b.Run(tc.name+"/open", rig.open)
	}
}

// ingestRig is one comparison: the webhook server and the bare forwarder,
// each in front of the same two chatbot stubs, and Meta's client.
type ingestRig struct {
	ours, bare loadgen.Target
	client     *http.Client
}

func newIngestRig(b *testing.B, template []byte, numbers int) *ingestRig {
	botA, botB := newBenchChatbot(b), newBenchChatbot(b)
	ts := newTestServer(b, []whatsappv1alpha1.WhatsAppChannel{
		newChannel("a", "+"+benchDisplayA, benchPNIDA, urlBot(botA.URL+"/hook")),
		newChannel("b", "+"+benchDisplayB, benchPNIDB, urlBot(botB.URL+"/hook")),
	}, benchQuietLogs)
	targets := []string{botA.URL + "/hook"}
	if numbers > 1 {
		targets = append(targets, botB.URL+"/hook")
	}
	fwdClient := newHTTPClient(nil)
	b.Cleanup(fwdClient.CloseIdleConnections)
	bare := httptest.NewServer(loadgen.BareForwarder(fwdClient, []byte(testAppSecret), targets...))
	b.Cleanup(bare.Close)

	p := newBenchPayload(template)
	next := func(h http.Header) []byte {
		body := p.next()
		h.Set(headerSignature, signatureHeader([]byte(testAppSecret), body))
		return body
	}
	tr := &http.Transport{MaxIdleConns: 2 * ingestClients, MaxIdleConnsPerHost: ingestClients}
	b.Cleanup(tr.CloseIdleConnections)
	return &ingestRig{
		ours:   loadgen.Target{URL: ts.url + PathWebhook, Next: next},
		bare:   loadgen.Target{URL: bare.URL + PathWebhook, Next: next},
		client: &http.Client{Transport: tr, Timeout: 10 * time.Second},
	}
}

// closed reports the closed-loop throughput ratio and allocations.
func (r *ingestRig) closed(b *testing.B) {
	var oursRuns, bareRuns []loadgen.Result
	load := func(t loadgen.Target, runs *[]loadgen.Result) benchratio.Load {
		return func(d time.Duration) (float64, error) {
			res, err := loadgen.ClosedLoop(context.Background(), r.client, t, ingestClients, d)
			if err == nil && res.FirstError != nil {
				err = res.FirstError
			}
			*runs = append(*runs, res)
			return res.PerSecond(), err
		}
	}
	ours, bare := benchratio.Throughput(b, "x-bare-tput", load(r.ours, &oursRuns), load(r.bare, &bareRuns))
	b.ReportMetric(ours, "req/s")
	b.ReportMetric(bare, "bare-req/s")
	b.ReportMetric(medianOf(oursRuns, loadgen.Result.AllocsPerRequest), "allocs/req")
	b.ReportMetric(medianOf(oursRuns, loadgen.Result.BytesPerRequest), "B/req")
	b.ReportMetric(medianOf(bareRuns, loadgen.Result.AllocsPerRequest), "bare-allocs/req")
	b.ReportMetric(medianOf(bareRuns, loadgen.Result.BytesPerRequest), "bare-B/req")
	b.ReportMetric(slices.MaxFunc(oursRuns, byPeak).PeakMemoryMiB(), "peak-MiB")
}

// open reports latency at a steady 1,000 requests per second.
func (r *ingestRig) open(b *testing.B) {
	run := func(t loadgen.Target) loadgen.Result {
		res, err := loadgen.OpenLoop(context.Background(), r.client, t, ingestRate, ingestOpenLoop, ingestMaxInFlight)
		if err != nil {
			b.Fatal(err)
		}
		if res.Requests == 0 {
			b.Fatalf("no request answered 200: %v", res.FirstError)
		}
		return res
	}
	bare := run(r.bare)
	ours := run(r.ours)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(ours.Quantile(0.5)), "p50-ms")
	b.ReportMetric(ms(ours.Quantile(0.99)), "p99-ms")
	b.ReportMetric(ms(bare.Quantile(0.5)), "bare-p50-ms")
	b.ReportMetric(ms(bare.Quantile(0.99)), "bare-p99-ms")
	b.ReportMetric(ours.PeakMemoryMiB(), "peak-MiB")
	// A server that falls behind sheds load with 503 (body slots, the
	// per-chatbot cap): Meta retries those. Their share is reported, not
	// hidden in the latencies.
	b.ReportMetric(100*float64(ours.Failures)/float64(ours.Requests+ours.Failures), "non200-%")
	b.ReportMetric(100*float64(bare.Failures)/float64(bare.Requests+bare.Failures), "bare-non200-%")
}

// medianOf is the median of f over runs.
func medianOf(runs []loadgen.Result, f func(loadgen.Result) float64) float64 {
	v := make([]float64, 0, len(runs))
	for _, r := range runs {
		v = append(v, f(r))
	}
	slices.Sort(v)
	if len(v) == 0 {
		return 0
	}
	return (v[len(v)/2] + v[(len(v)-1)/2]) / 2
}

func byPeak(a, b loadgen.Result) int { return int(int64(a.PeakMemory) - int64(b.PeakMemory)) }
