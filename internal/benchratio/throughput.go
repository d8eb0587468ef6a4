package benchratio

import (
	"slices"
	"testing"
	"time"
)

// Load is one side of a throughput comparison: it drives load for about d
// and returns the requests per second it measured.
type Load func(d time.Duration) (perSecond float64, err error)

// minLoadRound is the shortest a load round runs, whatever -benchtime.
const minLoadRound = 100 * time.Millisecond

// Throughput measures ours and baseline in benchRounds interleaved rounds
// (each runs for a tenth of -benchtime per round, at least 100ms, in an
// order that alternates between rounds) and reports under unit the median
// of the rounds' ours/baseline throughput ratios. Unlike Run's time
// ratios, a throughput ratio grows with speed: 1.0 is as fast as the
// baseline, 0.5 half as many requests per second. It returns the medians
// of both sides' requests per second, for the caller to report.
func Throughput(b *testing.B, unit string, ours, baseline Load) (oursPerSecond, basePerSecond float64) {
	b.Helper()
	d := benchRoundBudget().d
	if d < minLoadRound {
		d = minLoadRound
	}
	sides := []Load{ours, baseline}
	var ratios []float64
	var rates [2][]float64
	for r := range benchRounds {
		var got [2]float64
		for k := range sides {
			i := k
			if r%2 == 1 {
				i = 1 - k
			}
			v, err := sides[i](d)
			if err != nil {
				b.Fatalf("round %d: %v", r, err)
			}
			got[i] = v
			rates[i] = append(rates[i], v)
		}
		if got[1] > 0 {
			ratios = append(ratios, got[0]/got[1])
		}
	}
	b.ReportMetric(median(ratios), unit)
	return median(rates[0]), median(rates[1])
}

// median is the median of v (the mean of the middle two for an even
// count), 0 when empty.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	m := len(v) / 2
	return (v[m] + v[len(v)-1-m]) / 2
}
