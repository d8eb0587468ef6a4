// Package benchratio runs benchmarks that report ratios, not times: on
// shared machines absolute ns/op is noise, but measurements interleaved in
// the same process cancel most of the machine's speed and load. Each ratio
// is a metric whose unit names its baseline ("x-ack" is ours divided by the
// ack baseline); 1.0 means "as fast as the baseline", 2.0 "twice as slow".
package benchratio

import (
	"flag"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Baseline is one baseline of a ratio benchmark: the unit its ratio is
// reported in and the operation it times.
type Baseline struct {
	// Unit is the metric unit its ratio is reported in, e.g. "x-ack".
	Unit string
	// Op is one operation of the baseline.
	Op func() error
}

// benchRounds is how many interleaved rounds a ratio is the median of.
const benchRounds = 10

// Run measures ours against each baseline in benchRounds
// interleaved rounds (each op runs for a tenth of -benchtime per round, in
// an order that alternates between rounds) and reports, per baseline, the
// median of the rounds' ours/baseline ratios: a burst of load from a
// neighbour spoils a round or two, not the ratio. Ours then runs once more
// in b's loop, for the framework's ns/op and -benchmem figures, which
// count neither the baselines' time nor their allocations.
//
// The baselines are timed by hand rather than with testing.Benchmark,
// which cannot run inside a benchmark: it waits for the lock the running
// benchmark holds.
func Run(b *testing.B, ours func() error, baselines ...Baseline) {
	b.Helper()
	ops := append([]Baseline{{Unit: "ours", Op: ours}}, baselines...)
	for _, o := range ops { // warm up connections, caches and pools
		if err := o.Op(); err != nil {
			b.Fatalf("%s: %v", o.Unit, err)
		}
	}
	budget := benchRoundBudget()
	ratios := make([][]float64, len(baselines))
	ns := make([]float64, len(ops))
	for r := range benchRounds {
		for k := range ops {
			i := k
			if r%2 == 1 {
				i = len(ops) - 1 - k
			}
			ns[i] = benchTimeOp(b, ops[i], budget)
		}
		for i := range baselines {
			ratios[i] = append(ratios[i], ns[0]/ns[i+1])
		}
	}
	for b.Loop() {
		if err := ours(); err != nil {
			b.Fatal(err)
		}
	}
	for i, bl := range baselines {
		slices.Sort(ratios[i])
		m := len(ratios[i]) / 2
		b.ReportMetric((ratios[i][m]+ratios[i][len(ratios[i])-1-m])/2, bl.Unit)
	}
}

// benchBudget is how long to time an op in one round: n operations when
// n > 0, else operations for at least d.
type benchBudget struct {
	n int
	d time.Duration
}

// benchRoundBudget is -benchtime (1s unless set) divided by benchRounds.
func benchRoundBudget() benchBudget {
	v := "1s"
	if f := flag.Lookup("test.benchtime"); f != nil {
		v = f.Value.String()
	}
	if s, ok := strings.CutSuffix(v, "x"); ok {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return benchBudget{n: max(1, n/benchRounds)}
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		d = time.Second
	}
	return benchBudget{d: d / benchRounds}
}

// benchTimeOp runs o.Op in growing chunks (so that the clock is read
// rarely) until the budget is spent, returns its ns/op, and fails b on the
// first error.
func benchTimeOp(b *testing.B, o Baseline, budget benchBudget) float64 {
	b.Helper()
	var n int
	var d time.Duration
	chunk := 1
	for {
		start := time.Now()
		for range chunk {
			if err := o.Op(); err != nil {
				b.Fatalf("%s: %v", o.Unit, err)
			}
		}
		d += time.Since(start)
		n += chunk
		switch {
		case budget.n > 0 && n >= budget.n, budget.n <= 0 && d >= budget.d:
			return float64(d.Nanoseconds()) / float64(n)
		case budget.n > 0:
			chunk = budget.n - n
		case d <= 0:
			chunk *= 100
		default:
			// Aim 20% past what is left, growing at most 100-fold.
			left := float64(budget.d-d) / (float64(d) / float64(n))
			chunk = min(max(int(left*1.2)+1, 1), 100*chunk)
		}
	}
}
