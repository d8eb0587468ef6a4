package loadgen

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"
)

// errNoClients is returned for a closed loop without clients.
var errNoClients = errors.New("a closed loop needs at least one client")

// closedLoopRecorded bounds the latencies kept per client: a closed loop
// is about throughput, a sample of its latencies is enough.
const closedLoopRecorded = 1 << 14

// ClosedLoop runs clients concurrent senders against t for about d: each
// sends its next request as soon as the last was answered, so the result's
// PerSecond is the most the server sustains with that many connections.
// client should keep connections alive (at least clients per host).
func ClosedLoop(ctx context.Context, client *http.Client, t Target, clients int, d time.Duration) (Result, error) {
	if err := checkLoopback(t.URL); err != nil {
		return Result{}, err
	}
	if clients <= 0 {
		return Result{}, errNoClients
	}
	recs := make([]*recorder, clients)
	per := min(maxRecorded/clients, closedLoopRecorded)
	m := startMeter()
	end := m.start.Add(d)
	var wg sync.WaitGroup
	for i := range recs {
		rec := &recorder{latencies: make([]time.Duration, 0, per)}
		recs[i] = rec
		wg.Go(func() {
			for ctx.Err() == nil {
				start := time.Now()
				if !start.Before(end) {
					return
				}
				err := t.post(ctx, client)
				rec.record(time.Since(start), err)
			}
		})
	}
	wg.Wait()
	var r Result
	m.finish(&r)
	r.merge(recs)
	return r, ctx.Err()
}
