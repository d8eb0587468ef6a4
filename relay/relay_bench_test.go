package relay

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"

	"github.com/kubechat/whatsapp-operator/internal/benchratio"
)

// benchConcurrency is how many chatbot requests are in flight at once.
const benchConcurrency = 16

// BenchmarkRelayThroughput sends text messages through the relay and,
// as the baseline measured in the same run, straight to the simulator
// with the token, rate limiting off. x-direct is the relay's time per
// batch of 16 concurrent sends divided by the direct time: at most 1.25
// means at least 0.8x the direct throughput. p99-added-ms is the relay's
// added p99 latency of one send on loopback, from 2,000 sequential sends
// per path, interleaved.
func BenchmarkRelayThroughput(b *testing.B) {
	h := startHarness(b, setup{options: func(o *Options) {
		o.DisableRateLimit = true
		// Production logs sends at V(1), which is off by default.
		o.Logger = logr.FromSlogHandler(slog.NewJSONHandler(io.Discard, nil))
	}})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	// Recipients' lanes serialise one person's messages: each concurrent
	// send goes to another recipient, as a chatbot's traffic would.
	bodies := make([][]byte, benchConcurrency)
	for i := range bodies {
		bodies[i] = fmt.Appendf(nil, `{"messaging_product":"whatsapp","recipient_type":"individual","to":"165055512%02d","type":"text","text":{"body":"Your order 4521 has shipped."}}`, i)
	}
	relayURL := h.url + "/v25.0/" + testPNID + "/messages"
	directURL := h.simURL + "/v25.0/" + testPNID + "/messages"
	one := func(url string, auth bool, body []byte) error {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if auth {
			req.Header.Set("Authorization", "Bearer "+testAccessToken)
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s answered %d", url, resp.StatusCode)
		}
		return nil
	}
	batch := func(url string, auth bool) func() error {
		return func() error {
			var wg sync.WaitGroup
			errs := make(chan error, benchConcurrency)
			for i := range benchConcurrency {
				wg.Go(func() { errs <- one(url, auth, bodies[i]) })
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					return err
				}
			}
			return nil
		}
	}
	benchratio.Run(b, batch(relayURL, false), benchratio.Baseline{Unit: "x-direct", Op: batch(directURL, true)})

	var relayLat, directLat []time.Duration
	for i := range 4000 {
		url, auth, into := relayURL, false, &relayLat
		if i%2 == 1 {
			url, auth, into = directURL, true, &directLat
		}
		start := time.Now()
		if err := one(url, auth, bodies[0]); err != nil {
			b.Fatal(err)
		}
		*into = append(*into, time.Since(start))
	}
	b.ReportMetric(float64(p99(relayLat)-p99(directLat))/float64(time.Millisecond), "p99-added-ms")
}

func p99(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)*99/100]
}
