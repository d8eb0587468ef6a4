package controllers

import (
	"math/rand/v2"
	"time"
)

// jitterFraction spreads periodic resyncs of many objects over ±10% of
// their interval, so they do not all wake together (Flux runtime/jitter).
const jitterFraction = 0.1

// jitter returns d shifted by a random amount within ±10%.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	spread := float64(d) * jitterFraction
	return d + time.Duration((rand.Float64()*2-1)*spread)
}
