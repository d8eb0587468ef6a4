package relay

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// metricsNamespace prefixes every metric of the relay.
const metricsNamespace = "whatsapp_relay"

// Outcomes of a request (label "outcome" of requests_total).
const (
	outcomeSent          = "sent"           // Meta accepted every part
	outcomeFallback      = "fallback"       // sent through new_bot_message
	outcomeRefused       = "refused"        // broke a rule: nothing sent
	outcomeUnknownSender = "unknown_sender" // not a Ready channel's number
	outcomeMetaError     = "meta_error"     // Meta refused
	outcomeRateLimited   = "rate_limited"   // queued past MaxQueueWait
	outcomeUnknown       = "outcome_unknown"
	outcomeUnavailable   = "unavailable" // not ready, busy, Meta unreachable
	outcomeClientGone    = "client_gone"
)

// metrics of the relay. Labels are bounded: no number, recipient or
// channel labels.
type metrics struct {
	requests   *prometheus.CounterVec // type, outcome
	parts      prometheus.Histogram   // parts per split text
	fallbacks  *prometheus.CounterVec // result
	queueWait  prometheus.Histogram
	rateWaits  prometheus.Counter
	retries    *prometheus.CounterVec // code
	metaErrors *prometheus.CounterVec // code
	linkChecks *prometheus.CounterVec // result
	senders    prometheus.Gauge
	latency    prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "requests_total",
			Help: "Send and upload requests by message type and outcome (sent, fallback, refused, unknown_sender, meta_error, rate_limited, outcome_unknown, unavailable, client_gone).",
		}, []string{"type", "outcome"}),
		parts: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Name: "split_parts",
			Help: "Parts a text over 4096 characters (or a fallback over 974) was split into.", Buckets: []float64{2, 3, 4, 6, 8, 12, 16, 32, 64},
		}),
		fallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "fallbacks_total",
			Help: "Messages that hit the closed 24-hour window (131047), by result: sent (through new_bot_message), no_template (missing or not approved), no_text (nothing to send through it), failed (Meta refused the template).",
		}, []string{"result"}),
		queueWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Name: "queue_wait_seconds",
			Help: "Time a send waited for its phone number's send budget.", Buckets: []float64{.001, .01, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
		rateWaits: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "rate_limit_waits_total",
			Help: "Sends that had to wait for their phone number's send budget.",
		}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "retries_total",
			Help: "Sends tried again, by the Meta code that caused it (130429, 131056, 1, 2, ...; 5xx without a code; not_sent: no connection).",
		}, []string{"code"}),
		metaErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "meta_errors_total",
			Help: "Error answers from Meta by code (codes outside the known set count as other).",
		}, []string{"code"}),
		linkChecks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "link_checks_total",
			Help: "HEAD checks of media links by result (ok, refused, unknown: the check could not tell, cached).",
		}, []string{"result"}),
		senders: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "senders",
			Help: "Phone numbers that may send: those of the provider's Ready channels.",
		}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Name: "request_duration_seconds",
			Help: "Time to answer a send or upload request, queueing and Meta included.", Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.parts, m.fallbacks, m.queueWait, m.rateWaits, m.retries, m.metaErrors, m.linkChecks, m.senders, m.latency} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// knownCodes bounds the code label.
var knownCodes = map[int]bool{
	0: true, 1: true, 2: true, 3: true, 4: true, 10: true, 100: true, 190: true, 200: true, 368: true, 80007: true,
	130429: true, 131000: true, 131005: true, 131008: true, 131009: true, 131016: true, 131021: true, 131026: true,
	131031: true, 131047: true, 131048: true, 131051: true, 131052: true, 131053: true, 131056: true, 131057: true,
	132000: true, 132001: true, 132005: true, 132007: true, 132012: true, 132015: true, 132016: true, 133010: true,
}

// codeLabel returns the code label of a Meta code.
func codeLabel(code int) string {
	if knownCodes[code] {
		return strconv.Itoa(code)
	}
	return "other"
}
