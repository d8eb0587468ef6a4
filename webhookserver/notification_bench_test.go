package webhookserver

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/go-logr/logr"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/benchratio"
)

// Numbers of the benchmark channels. benchPNIDA and its display number are
// those of the text fixture in testdata/meta-webhooks/message.json.
const (
	benchPNIDA    = "1122334455667"
	benchDisplayA = "972123456789"
	benchPNIDB    = "1122334455668"
	benchDisplayB = "972123456780"
	// benchSeqMarker stands for the per-request part of every message id.
	benchSeqMarker = "#SEQ#"
	// benchBatchPerNumber is the messages per number of the fan-out batch.
	benchBatchPerNumber = 50
)

// BenchmarkWebhookText times Meta's hot path: one signed text message
// (the real-shaped fixture message.json "text", compacted as Meta sends it)
// POSTed over loopback to the server's http.Handler, which checks the
// signature, parses, routes, deduplicates, re-signs and forwards it to a
// stub chatbot over loopback, and answers 200. Every request carries a new
// message id, so the dedupe cache never short-circuits a delivery.
//
//   - x-proxy: ours / a minimal forwarding proxy that reads the body, checks
//     the HMAC, POSTs the body verbatim to the same chatbot stub with the
//     same transport settings and answers 200. That is the unavoidable work
//     of a forwarder (two loopback round trips), so the ratio is our
//     overhead: parsing, routing, dedupe, rendering, re-signing, metrics,
//     logging, the delivery goroutine. About 1.8 when written (2 cores); a
//     rise past about 2.5 means the handler's own work, not the network,
//     is most of what Meta waits for.
//   - x-ack: ours / a handler that only reads the body, checks the HMAC and
//     answers 200 (one round trip). Forwarding before answering at least
//     doubles that, so this is the price of the design (answer Meta only
//     once the chatbot accepted): about 3.3 when written. Meta expects a
//     median answer under 250 ms and the baseline is far below a
//     millisecond, so a rising x-ack means shrinking headroom for slow
//     chatbots, not a breach by itself.
func BenchmarkWebhookText(b *testing.B) {
	bot := newBenchChatbot(b)
	ts := newTestServer(b, []whatsappv1alpha1.WhatsAppChannel{
		newChannel("a", "+"+benchDisplayA, benchPNIDA, urlBot(bot.URL+"/hook")),
	}, benchQuietLogs)
	payload := newBenchPayload(benchTextFixture(b))
	client := newBenchClient(b)
	ack := newBenchAck(b)
	proxy := newBenchProxy(b, bot.URL+"/hook")

	benchratio.Run(b, benchPost(client, ts.url, payload),
		benchratio.Baseline{Unit: "x-proxy", Op: benchPost(client, proxy, payload)},
		benchratio.Baseline{Unit: "x-ack", Op: benchPost(client, ack, payload)},
	)
}

// BenchmarkWebhookFanOut times one signed batch of 100 text messages, 50
// for each of two numbers whose channels have two different chatbots: the
// server splits the batch into two deliveries sent in parallel.
//
//   - x-single: ours / one single-message request (as in
//     BenchmarkWebhookText) through the same server: how the cost grows
//     with the batch. Near 1 to 3 would mean per-request costs dominate and
//     batching is nearly free; 100 would mean every message costs a whole
//     request. About 20 when written: per-message work (see BenchmarkRoute)
//     dominates large batches. A rise means that work grew.
//   - x-proxy: ours / a minimal proxy that checks the HMAC and POSTs the
//     whole batch, unsplit, to both chatbots in parallel. About 7 when
//     written, against about 1.8 for one message: splitting and routing a
//     batch costs several times its network transfer.
func BenchmarkWebhookFanOut(b *testing.B) {
	botA, botB := newBenchChatbot(b), newBenchChatbot(b)
	ts := newTestServer(b, []whatsappv1alpha1.WhatsAppChannel{
		newChannel("a", "+"+benchDisplayA, benchPNIDA, urlBot(botA.URL+"/hook")),
		newChannel("b", "+"+benchDisplayB, benchPNIDB, urlBot(botB.URL+"/hook")),
	}, benchQuietLogs)
	batch := newBenchPayload(benchBatch(b, benchBatchPerNumber))
	single := newBenchPayload(benchTextFixture(b))
	client := newBenchClient(b)
	proxy := newBenchProxy(b, botA.URL+"/hook", botB.URL+"/hook")

	benchratio.Run(b, benchPost(client, ts.url, batch),
		benchratio.Baseline{Unit: "x-single", Op: benchPost(client, ts.url, single)},
		benchratio.Baseline{Unit: "x-proxy", Op: benchPost(client, proxy, batch)},
	)
}

// BenchmarkRoute times, without any network, what the handler does with a
// verified body before it forwards: ParseEnvelope, planBatch (with dedupe
// lookups in an empty cache of the default size) and rendering each
// delivery's body.
//
//   - x-json: ours / one json.Unmarshal of the same body into an `any`,
//     that is one generic pass over the JSON. The ratio is roughly how many
//     such passes routing costs: the envelope, each value's header, each
//     value's members and keyed arrays, and each item's key are decoded
//     separately. About 3.0 for 1 message and 3.4 for 100 when written. A
//     rise, or a gap opening between messages=1 and messages=100, points at
//     repeated or quadratic work per change.
func BenchmarkRoute(b *testing.B) {
	table := BuildRouteTable(1, testProviderObject(), []whatsappv1alpha1.WhatsAppChannel{
		newChannel("a", "+"+benchDisplayA, benchPNIDA, urlBot("http://192.0.2.10/hook")),
		newChannel("b", "+"+benchDisplayB, benchPNIDB, urlBot("http://192.0.2.11/hook")),
	})
	cases := []struct {
		name string
		body []byte
	}{
		{"messages=1", newBenchPayload(benchTextFixture(b)).next()},
		{"messages=100", newBenchPayload(benchBatch(b, benchBatchPerNumber)).next()},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			cache := newDedupeCache(DefaultDedupeSize)
			ours := func() error {
				env, err := ParseEnvelope(tc.body)
				if err != nil {
					return err
				}
				plan := planBatch(env, table, cache.Seen)
				if len(plan.deliveries) == 0 {
					return fmt.Errorf("nothing routed")
				}
				for _, d := range plan.deliveries {
					if len(d.body(env.Object)) == 0 {
						return fmt.Errorf("empty delivery body")
					}
				}
				return nil
			}
			generic := func() error {
				var v any
				return json.Unmarshal(tc.body, &v)
			}
			benchratio.Run(b, ours, benchratio.Baseline{Unit: "x-json", Op: generic})
		})
	}
}

// benchQuietLogs logs as in production (JSON at info level), into nothing:
// the test servers' default capture logs every verbosity into memory.
func benchQuietLogs(o *Options) {
	o.Logger = logr.FromSlogHandler(slog.NewJSONHandler(io.Discard, nil))
}

// newBenchChatbot starts a chatbot stub that reads the body and answers 200.
func newBenchChatbot(tb testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// newBenchClient is Meta's side: a keep-alive client, no proxy.
func newBenchClient(tb testing.TB) *http.Client {
	tr := &http.Transport{MaxIdleConns: 16, MaxIdleConnsPerHost: 8}
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// benchPayload is a webhook body whose message ids get a new sequence number
// on every request.
type benchPayload struct {
	template []byte
	seq      *atomic.Uint64
}

// benchPayloadSeq is shared by every payload, so that no two requests of a
// run, baselines included, carry the same message id.
var benchPayloadSeq atomic.Uint64

func newBenchPayload(template []byte) benchPayload {
	return benchPayload{template: template, seq: &benchPayloadSeq}
}

// next returns a fresh body.
func (p benchPayload) next() []byte {
	n := strconv.AppendUint(nil, p.seq.Add(1), 10)
	return bytes.ReplaceAll(p.template, []byte(benchSeqMarker), n)
}

// benchTextFixture is the text message of message.json, compacted, its
// message id made unique per request.
func benchTextFixture(tb testing.TB) []byte {
	tb.Helper()
	for _, fx := range loadFixtures(tb) {
		if fx.file != "message.json" || fx.scenario != "text" {
			continue
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, fx.body); err != nil {
			tb.Fatal(err)
		}
		body := buf.Bytes()
		if !bytes.Contains(body, []byte(`"wamid.xyzxyz"`)) || !bytes.Contains(body, []byte(`"`+benchPNIDA+`"`)) {
			tb.Fatal("message.json text changed: update the benchmarks")
		}
		return bytes.Replace(body, []byte(`"wamid.xyzxyz"`), []byte(`"wamid.BENCH-0-`+benchSeqMarker+`"`), 1)
	}
	tb.Fatal("no text scenario in message.json")
	return nil
}

// benchBatch is one entry of 2*perNumber messages changes, alternating
// between the two numbers, each value the fixture's text message.
func benchBatch(tb testing.TB, perNumber int) []byte {
	tb.Helper()
	env, err := ParseEnvelope(benchTextFixture(tb))
	if err != nil {
		tb.Fatal(err)
	}
	value := string(env.Entry[0].Changes[0].Value)
	forB := strings.NewReplacer(`"`+benchPNIDA+`"`, `"`+benchPNIDB+`"`, `"`+benchDisplayA+`"`, `"`+benchDisplayB+`"`).Replace(value)
	values := make([]string, 0, 2*perNumber)
	for i := range perNumber {
		for n, v := range []string{value, forB} {
			id := fmt.Sprintf("wamid.BENCH-%d-", 2*i+n+1)
			values = append(values, strings.Replace(v, "wamid.BENCH-0-", id, 1))
		}
	}
	return envelopeOf(values...)
}

// benchPost returns an operation that POSTs the payload's next body, signed
// with the test app secret, to baseURL's webhook path and wants a 200.
func benchPost(client *http.Client, baseURL string, p benchPayload) func() error {
	secret := []byte(testAppSecret)
	return func() error {
		body := p.next()
		req, err := http.NewRequest(http.MethodPost, baseURL+PathWebhook, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(headerSignature, signatureHeader(secret, body))
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("POST %s: HTTP %d", baseURL, resp.StatusCode)
		}
		return nil
	}
}

// benchReadVerified reads the body and checks its signature with nothing
// but the standard library; it answers 403 itself when that fails.
func benchReadVerified(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, DefaultMaxBodyBytes))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return nil, false
	}
	got, err := hex.DecodeString(strings.TrimPrefix(r.Header.Get(headerSignature), "sha256="))
	m := hmac.New(sha256.New, []byte(testAppSecret))
	m.Write(body)
	if err != nil || !hmac.Equal(got, m.Sum(nil)) {
		w.WriteHeader(http.StatusForbidden)
		return nil, false
	}
	return body, true
}

// newBenchAck serves the ack baseline: read, verify, 200.
func newBenchAck(tb testing.TB) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := benchReadVerified(w, r); ok {
			writeText(w, http.StatusOK, "ok")
		}
	}))
	tb.Cleanup(srv.Close)
	return srv.URL
}

// newBenchProxy serves the proxy baseline: read, verify, POST the body
// verbatim to every target in parallel (with the forwarder's transport
// settings), 200 when all answered 2xx.
func newBenchProxy(tb testing.TB, targets ...string) string {
	client := newHTTPClient((&net.Dialer{}).DialContext)
	tb.Cleanup(client.CloseIdleConnections)
	forward := func(ctx context.Context, target string, body []byte, signature string) bool {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
		if err != nil {
			return false
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(headerSignature, signature)
		resp, err := client.Do(req)
		if err != nil {
			return false
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return resp.StatusCode >= 200 && resp.StatusCode <= 299
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := benchReadVerified(w, r)
		if !ok {
			return
		}
		var failed atomic.Bool
		var wg sync.WaitGroup
		for _, t := range targets {
			wg.Go(func() {
				if !forward(r.Context(), t, body, r.Header.Get(headerSignature)) {
					failed.Store(true)
				}
			})
		}
		wg.Wait()
		if failed.Load() {
			writeText(w, http.StatusServiceUnavailable, "retry")
			return
		}
		writeText(w, http.StatusOK, "ok")
	}))
	tb.Cleanup(srv.Close)
	return srv.URL
}
