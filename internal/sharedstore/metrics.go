package sharedstore

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Paths that fall back when the store fails, as metric labels.
const (
	PathInbound = "inbound" // webhook deliveries: at least once
	PathRelay   = "relay"   // sends: paced at this replica's share
)

// Metrics count what the store did to a workload. Names start with
// whatsapp_shared_store_; no label carries a key, number or provider.
type Metrics struct {
	errors    *prometheus.CounterVec
	fallbacks *prometheus.CounterVec
	up        prometheus.Gauge
	claims    *prometheus.CounterVec
}

// NewMetrics registers the store's metrics on reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "whatsapp_shared_store_errors_total",
			Help: "Operations on the shared store (Redis) that failed, by operation.",
		}, []string{"op"}),
		fallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "whatsapp_shared_store_fallbacks_total",
			Help: "Requests handled without the shared store because it failed: inbound batches delivered at least once, relay sends paced at this replica's share.",
		}, []string{"path"}),
		up: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "whatsapp_shared_store_up",
			Help: "1 when the last operation on the shared store succeeded, 0 when it failed.",
		}),
		claims: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "whatsapp_shared_store_claims_total",
			Help: "Delivery keys asked for in the shared store, by result: claimed, done (delivered before), held (another replica is delivering it).",
		}, []string{"result"}),
	}
	m.up.Set(1)
	if reg != nil {
		reg.MustRegister(m.errors, m.fallbacks, m.up, m.claims)
	}
	return m
}

// Fallback counts one request handled without the store on path.
func (m *Metrics) Fallback(path string) { m.fallbacks.WithLabelValues(path).Inc() }
