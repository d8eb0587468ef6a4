package benchratio

import (
	"testing"
	"time"
)

func TestThroughputReportsMedianRatio(t *testing.T) {
	calls := map[string]int{}
	var order []string
	side := func(name string, rates ...float64) Load {
		return func(d time.Duration) (float64, error) {
			if d < minLoadRound {
				t.Errorf("a round runs at least %s, got %s", minLoadRound, d)
			}
			i := calls[name]
			calls[name]++
			order = append(order, name)
			return rates[i%len(rates)], nil
		}
	}
	var ours, base float64
	res := testing.Benchmark(func(b *testing.B) {
		calls, order = map[string]int{}, nil
		// One round in ten is spoiled by a neighbour (ours at 10): the
		// median ignores it.
		ours, base = Throughput(b, "x-test", side("ours", 10, 80, 80, 80, 80, 80, 80, 80, 80, 80), side("base", 100))
	})
	if got := res.Extra["x-test"]; got != 0.8 {
		t.Errorf("the median ratio of 80 to 100 req/s is 0.8, got %v", got)
	}
	if ours != 80 || base != 100 {
		t.Errorf("median rates 80 and 100, got %v and %v", ours, base)
	}
	if calls["ours"] != benchRounds || calls["base"] != benchRounds {
		t.Errorf("each side runs once per round: %v", calls)
	}
	if order[0] != "ours" || order[2] != "base" {
		t.Errorf("the order alternates between rounds: %v", order[:4])
	}
}
