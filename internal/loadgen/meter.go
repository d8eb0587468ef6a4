package loadgen

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// meterPeriod is how often the peak memory is sampled during a run.
const meterPeriod = 5 * time.Millisecond

// Runtime metrics whose difference is the memory held from the system.
const (
	metricTotal    = "/memory/classes/total:bytes"
	metricReleased = "/memory/classes/heap/released:bytes"
)

// meter measures a run: wall clock, allocations and peak memory.
type meter struct {
	start  time.Time
	before runtime.MemStats
	stop   chan struct{}
	wg     sync.WaitGroup
	peak   uint64
}

// startMeter starts measuring.
func startMeter() *meter {
	m := &meter{stop: make(chan struct{})}
	runtime.ReadMemStats(&m.before)
	m.peak = heldMemory()
	m.wg.Go(m.sample)
	m.start = time.Now()
	return m
}

// sample records the peak of heldMemory until stopped.
func (m *meter) sample() {
	t := time.NewTicker(meterPeriod)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.peak = max(m.peak, heldMemory())
		}
	}
}

// finish stops measuring and writes the figures into r.
func (m *meter) finish(r *Result) {
	r.Elapsed = time.Since(m.start)
	close(m.stop)
	m.wg.Wait()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	r.Mallocs = after.Mallocs - m.before.Mallocs
	r.AllocBytes = after.TotalAlloc - m.before.TotalAlloc
	r.PeakMemory = max(m.peak, heldMemory())
}

// heldMemory is the memory the runtime holds from the operating system.
func heldMemory() uint64 {
	s := []metrics.Sample{{Name: metricTotal}, {Name: metricReleased}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 || s[1].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64() - s[1].Value.Uint64()
}
