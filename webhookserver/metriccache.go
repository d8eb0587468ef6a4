package webhookserver

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// counterCache resolves a two-label CounterVec's children once per label
// values, so the hot path costs a read-locked map lookup instead of hashing
// the labels on every request. Label values are bounded by the callers.
type counterCache struct {
	vec *prometheus.CounterVec
	mu  sync.RWMutex
	m   map[[2]string]prometheus.Counter
}

func newCounterCache(vec *prometheus.CounterVec) *counterCache {
	return &counterCache{vec: vec, m: map[[2]string]prometheus.Counter{}}
}

// with returns the child for the label values a, b.
func (c *counterCache) with(a, b string) prometheus.Counter {
	k := [2]string{a, b}
	c.mu.RLock()
	ctr, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return ctr
	}
	ctr = c.vec.WithLabelValues(a, b)
	c.mu.Lock()
	c.m[k] = ctr
	c.mu.Unlock()
	return ctr
}

// observerCache is counterCache for a one-label HistogramVec.
type observerCache struct {
	vec *prometheus.HistogramVec
	mu  sync.RWMutex
	m   map[string]prometheus.Observer
}

func newObserverCache(vec *prometheus.HistogramVec) *observerCache {
	return &observerCache{vec: vec, m: map[string]prometheus.Observer{}}
}

// with returns the child for the label value a.
func (c *observerCache) with(a string) prometheus.Observer {
	c.mu.RLock()
	o, ok := c.m[a]
	c.mu.RUnlock()
	if ok {
		return o
	}
	o = c.vec.WithLabelValues(a)
	c.mu.Lock()
	c.m[a] = o
	c.mu.Unlock()
	return o
}
