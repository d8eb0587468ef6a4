package relay

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// RegisterMetrics registers the relay's metrics on reg, the Graph client's
// included, as Run does on Options.Registry. It is for readers of the
// metric names (the metrics documentation and the alerting rules'
// tests); a relay that runs registers its own.
func RegisterMetrics(reg prometheus.Registerer) error {
	if _, err := newMetrics(reg); err != nil {
		return err
	}
	return graph.RegisterMetrics(reg)
}
