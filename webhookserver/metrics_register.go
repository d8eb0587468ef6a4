package webhookserver

import "github.com/prometheus/client_golang/prometheus"

// RegisterMetrics registers the webhook server's metrics on reg, as Run
// does on Options.Registry. It is for readers of the metric names (the
// metrics documentation and the alerting rules' tests); a server that
// runs registers its own.
func RegisterMetrics(reg prometheus.Registerer) error {
	_, err := newMetrics(reg)
	return err
}
