package loadgen

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"
)

// errBadRate is returned for an open loop without a positive rate, or one
// that would exceed maxRecorded requests.
var errBadRate = errors.New("an open loop needs a positive rate, a positive in-flight bound, and at most 2^20 requests")

// minSleep is the shortest wait worth a sleep; below it the request is
// sent at once, a few microseconds early.
const minSleep = 50 * time.Microsecond

// OpenLoop sends rate requests per second to t for d, each at its
// scheduled time whatever the answers so far, with at most maxInFlight
// outstanding: past that, a request waits for a slot and the wait counts
// in its latency. Latencies are measured from the scheduled time, so a
// server that stalls shows in the tail instead of slowing the generator.
func OpenLoop(ctx context.Context, client *http.Client, t Target, rate int, d time.Duration, maxInFlight int) (Result, error) {
	if err := checkLoopback(t.URL); err != nil {
		return Result{}, err
	}
	n := int(float64(rate) * d.Seconds())
	if rate <= 0 || maxInFlight <= 0 || n <= 0 || n > maxRecorded {
		return Result{}, errBadRate
	}
	interval := time.Second / time.Duration(rate)
	rec := &recorder{latencies: make([]time.Duration, 0, n)}
	var mu sync.Mutex
	slots := make(chan struct{}, maxInFlight)
	var wg sync.WaitGroup
	m := startMeter()
	for i := 0; i < n && ctx.Err() == nil; i++ {
		due := m.start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > minSleep {
			time.Sleep(wait)
		}
		slots <- struct{}{}
		wg.Go(func() {
			err := t.post(ctx, client)
			took := time.Since(due)
			<-slots
			mu.Lock()
			rec.record(took, err)
			mu.Unlock()
		})
	}
	wg.Wait()
	var r Result
	m.finish(&r)
	r.merge([]*recorder{rec})
	return r, ctx.Err()
}
