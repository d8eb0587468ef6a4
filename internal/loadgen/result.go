package loadgen

import (
	"slices"
	"time"
)

// Result is what one run measured.
type Result struct {
	// Requests is how many requests were answered 200; Failures how many
	// were not (an error, or another status). FirstError is the first
	// failure, nil when none.
	Requests, Failures int
	FirstError         error
	// Elapsed is the run's wall-clock time, until the last answer.
	Elapsed time.Duration
	// Latencies are the recorded request durations, sorted (open loop:
	// from each request's scheduled time).
	Latencies []time.Duration
	// Mallocs and AllocBytes are the process's heap allocations during the
	// run (server, generator and stubs together).
	Mallocs, AllocBytes uint64
	// PeakMemory is the highest memory the Go runtime held from the
	// operating system during the run (mapped, not released), in bytes:
	// what a container's memory limit sees of a Go process, give or take
	// the binary's text.
	PeakMemory uint64
}

// PerSecond is the rate of requests answered 200.
func (r Result) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Quantile returns the q-quantile (0 < q ≤ 1) of the latencies, 0 when
// none were recorded.
func (r Result) Quantile(q float64) time.Duration {
	n := len(r.Latencies)
	if n == 0 {
		return 0
	}
	i := int(q*float64(n)+0.5) - 1
	return r.Latencies[min(max(i, 0), n-1)]
}

// PeakMemoryMiB is PeakMemory in MiB.
func (r Result) PeakMemoryMiB() float64 { return float64(r.PeakMemory) / (1 << 20) }

// AllocsPerRequest is Mallocs per request sent.
func (r Result) AllocsPerRequest() float64 { return perRequest(r.Mallocs, r.Requests+r.Failures) }

// BytesPerRequest is AllocBytes per request sent.
func (r Result) BytesPerRequest() float64 { return perRequest(r.AllocBytes, r.Requests+r.Failures) }

func perRequest(v uint64, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(v) / float64(n)
}

// recorder keeps at most maxRecorded latencies of one worker.
type recorder struct {
	latencies []time.Duration
	requests  int
	failures  int
	firstErr  error
}

// maxRecorded bounds the latencies one run keeps (8 MiB).
const maxRecorded = 1 << 20

func (rec *recorder) record(d time.Duration, err error) {
	if err != nil {
		rec.failures++
		if rec.firstErr == nil {
			rec.firstErr = err
		}
	} else {
		rec.requests++
	}
	if len(rec.latencies) < cap(rec.latencies) {
		rec.latencies = append(rec.latencies, d)
	}
}

// merge folds the workers' records into r.
func (r *Result) merge(recs []*recorder) {
	for _, rec := range recs {
		r.Requests += rec.requests
		r.Failures += rec.failures
		if r.FirstError == nil {
			r.FirstError = rec.firstErr
		}
		r.Latencies = append(r.Latencies, rec.latencies...)
	}
	slices.Sort(r.Latencies)
}
