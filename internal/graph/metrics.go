package graph

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Label values. No label ever names an object or carries a credential.
const (
	sourceMeta    = "meta"
	sourceLocal   = "local"
	usageBusiness = "business"
	usageApp      = "app"
	outcomeOK     = "success"
	statusError   = "error"
)

var (
	metricRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "whatsapp_graph_requests_total",
		Help: "Graph API calls by logical endpoint and outcome (success or the error class).",
	}, []string{"endpoint", "outcome"})
	metricLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "whatsapp_graph_request_duration_seconds",
		Help:    "Latency of Graph API HTTP attempts by logical endpoint and HTTP status class.",
		Buckets: []float64{0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
	}, []string{"endpoint", "status"})
	metricRetries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "whatsapp_graph_retries_total",
		Help: "Retries of idempotent Graph API calls by logical endpoint.",
	}, []string{"endpoint"})
	metricRateLimitHits = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "whatsapp_graph_rate_limit_hits_total",
		Help: "Rate-limit refusals by logical endpoint and source (meta: Meta answered a rate-limit code; local: the client-side limiter refused).",
	}, []string{"endpoint", "source"})
	// metricUsageRatio is Meta's usage percentage divided by 100:
	// Prometheus' base unit for a share is the ratio (0 to 1), so alerts
	// compare against 0.75, not 75 (decision 028).
	metricUsageRatio = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "whatsapp_graph_usage_ratio",
		Help: "Highest usage in the latest Meta usage header as a share of the budget, 0 to 1 (business: X-Business-Use-Case-Usage, app: X-App-Usage; Meta's percentages divided by 100).",
	}, []string{"header"})
)

func collectors() []prometheus.Collector {
	return []prometheus.Collector{metricRequests, metricLatency, metricRetries, metricRateLimitHits, metricUsageRatio}
}

// RegisterMetrics registers the package's collectors on r (the operator
// passes controller-runtime's metrics.Registry). Registering twice on the
// same registry is not an error, so tests may call it freely.
func RegisterMetrics(r prometheus.Registerer) error {
	for _, c := range collectors() {
		if err := r.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) && are.ExistingCollector == c {
				continue
			}
			return err
		}
	}
	return nil
}

// outcomeLabel turns an error into the "outcome" label value.
func outcomeLabel(err error) string {
	if err == nil {
		return outcomeOK
	}
	return classLabel(Classify(err))
}

func classLabel(c Class) string {
	switch c {
	case ClassBadCredentials:
		return "bad_credentials"
	case ClassPermission:
		return "permission"
	case ClassRateLimited:
		return "rate_limited"
	case ClassWindowClosed:
		return "window_closed"
	case ClassTemplate:
		return "template"
	case ClassNotFound:
		return "not_found"
	case ClassTransient:
		return "transient"
	}
	return "permanent"
}

// endpointKey carries the logical endpoint from the request path to the
// RoundTripper.
type endpointKey struct{}

func withEndpoint(ctx context.Context, endpoint string) context.Context {
	return context.WithValue(ctx, endpointKey{}, endpoint)
}

// instrumentedTransport observes the latency of every HTTP attempt.
type instrumentedTransport struct {
	next http.RoundTripper
}

// RoundTrip sends req and records its latency under its logical endpoint.
func (t instrumentedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	endpoint, _ := req.Context().Value(endpointKey{}).(string)
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	status := statusError
	if err == nil {
		status = statusClass(resp.StatusCode)
	}
	metricLatency.WithLabelValues(endpoint, status).Observe(time.Since(start).Seconds())
	return resp, err
}

// statusClasses are the status label values of HTTP status classes, made
// once rather than per call.
var statusClasses = [...]string{"0xx", "1xx", "2xx", "3xx", "4xx", "5xx"}

// statusClass is the status label of an HTTP status code: "2xx" for 204.
func statusClass(code int) string {
	if c := code / 100; c >= 0 && c < len(statusClasses) {
		return statusClasses[c]
	}
	return strconv.Itoa(code/100) + "xx"
}

// instrument returns a copy of hc whose Transport records metrics.
func instrument(hc *http.Client) *http.Client {
	c := *hc
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	if _, done := next.(instrumentedTransport); !done {
		c.Transport = instrumentedTransport{next: next}
	}
	return &c
}
