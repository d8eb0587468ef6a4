package webhookserver

import (
	"context"
	"net/http"
	"runtime/debug"
	"testing"
	"time"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/benchratio"
	"github.com/kubechat/whatsapp-operator/internal/loadgen"
	"github.com/kubechat/whatsapp-operator/internal/redistest"
	"github.com/kubechat/whatsapp-operator/internal/sharedstore"
)

// BenchmarkIngestSharedStore compares, in the same run and the same
// process, the webhook server claiming every delivery in a real
// redis-server on loopback (issue 10: a claim round trip before
// forwarding, a done mark after) with the same server keeping its dedupe
// memory in its LRU, closed loop with 16 clients as BenchmarkIngest.
//
//   - x-memory-tput: requests per second with Redis / with the LRU
//     (higher is better; issue 10 asks ≥ 0.7). req/s and memory-req/s
//     are the medians of both sides; fallback-% the share of batches
//     delivered without the store because a round trip failed.
//
// Both sides forward to the same chatbot stubs; every request carries
// new message ids, so every item is claimed and marked done.
func BenchmarkIngestSharedStore(b *testing.B) {
	prev := debug.SetMemoryLimit(ingestMemLimit)
	b.Cleanup(func() { debug.SetMemoryLimit(prev) })
	srv := redistest.Shared(b)
	cases := []struct {
		name string
		body func(testing.TB) []byte
	}{
		{"messages=1", benchTextFixture},
		{"messages=10", func(tb testing.TB) []byte { return benchBatch(tb, 5) }},
	}
	for _, tc := range cases {
		botA, botB := newBenchChatbot(b), newBenchChatbot(b)
		channels := []whatsappv1alpha1.WhatsAppChannel{
			newChannel("a", "+"+benchDisplayA, benchPNIDA, urlBot(botA.URL+"/hook")),
			newChannel("b", "+"+benchDisplayB, benchPNIDB, urlBot(botB.URL+"/hook")),
		}
		memory := newTestServer(b, channels, benchQuietLogs)
		shared := newTestServer(b, channels, benchQuietLogs, func(o *Options) {
			o.SharedState = sharedstore.Config{Address: srv.Addr(), KeyPrefix: redistest.Prefix(b), AllowAddresses: redistest.Loopback}
		})
		p := newBenchPayload(tc.body(b))
		next := func(h http.Header) []byte {
			body := p.next()
			h.Set(headerSignature, signatureHeader([]byte(testAppSecret), body))
			return body
		}
		tr := &http.Transport{MaxIdleConns: 2 * ingestClients, MaxIdleConnsPerHost: ingestClients}
		b.Cleanup(tr.CloseIdleConnections)
		client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
		load := func(url string) benchratio.Load {
			t := loadgen.Target{URL: url + PathWebhook, Next: next}
			return func(d time.Duration) (float64, error) {
				res, err := loadgen.ClosedLoop(context.Background(), client, t, ingestClients, d)
				if err == nil && res.FirstError != nil {
					err = res.FirstError
				}
				return res.PerSecond(), err
			}
		}
		b.Run(tc.name+"/closed", func(b *testing.B) {
			ours, mem := benchratio.Throughput(b, "x-memory-tput", load(shared.url), load(memory.url))
			b.ReportMetric(ours, "req/s")
			b.ReportMetric(mem, "memory-req/s")
			// Batches whose claim failed (a round trip past the store's
			// 500 ms timeout on an overloaded machine) went at least once
			// without the store: their share is reported, not hidden.
			requests := counter(b, shared.registry, "whatsapp_webhook_requests_total", map[string]string{"outcome": "ok"})
			fallbacks := counter(b, shared.registry, "whatsapp_shared_store_fallbacks_total", map[string]string{"path": sharedstore.PathInbound})
			if requests > 0 {
				b.ReportMetric(100*fallbacks/requests, "fallback-%")
			}
		})
	}
}
