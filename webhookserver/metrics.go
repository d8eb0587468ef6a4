package webhookserver

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metricsNamespace prefixes every metric of the webhook server.
const metricsNamespace = "whatsapp_webhook"

// metrics of the webhook server. Labels are bounded: no channel, number or
// message labels on these high-volume series (logs name the channel).
type metrics struct {
	requests          *prometheus.CounterVec   // method, outcome
	changes           *prometheus.CounterVec   // field, outcome
	batchDuration     prometheus.Histogram     // whole POST handling
	forwardDuration   *prometheus.HistogramVec // status class
	forwardFailures   *prometheus.CounterVec   // reason
	forwardRetries    prometheus.Counter       // next endpoint tried after a failed connect
	dedupeHits        prometheus.Counter       // items left out as already delivered
	signatureFailures *prometheus.CounterVec   // reason
	unroutable        *prometheus.CounterVec   // reason
	reconcileRequests *prometheus.CounterVec   // kind, result
	previousSecret    prometheus.Counter       // webhooks verified only by a previous app secret
	routes            prometheus.Gauge         // routed phone numbers
	suppressedLogs    *prometheus.CounterVec   // kind

	// Children of the busiest series, resolved once.
	requestsBy *counterCache  // requests
	changesBy  *counterCache  // changes
	forwardBy  *observerCache // forwardDuration
}

// newMetrics creates the metrics and registers them on reg.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	latency := []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "requests_total",
			Help: "Webhook requests by method (GET, POST, other) and outcome (ok, method_not_allowed, busy, retry, handshake_ok, handshake_forbidden, signature_missing, signature_invalid, too_large, body_timeout, bad_request, not_ready, ignored_object, loop).",
		}, []string{"method", "outcome"}),
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "changes_total",
			Help: "Webhook changes by field and outcome (forwarded, duplicate, unknown, pending, template, phone_number, acknowledged, foreign_waba, malformed).",
		}, []string{"field", "outcome"}),
		batchDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Name: "request_duration_seconds",
			Help: "Time to answer a webhook POST, deliveries included.", Buckets: latency,
		}),
		forwardDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Name: "forward_duration_seconds",
			Help: "Latency of one delivery attempt to a chatbot, by answer class (2xx..5xx, error).", Buckets: latency,
		}, []string{"code"}),
		forwardFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "forward_failures_total",
			Help: "Failed deliveries to chatbots by reason (status, timeout, connection, refused, busy, no_endpoints, external_name, no_target, bad_target).",
		}, []string{"reason"}),
		forwardRetries: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "forward_retries_total",
			Help: "Deliveries moved to another endpoint of a chatbot Service after a failed connect.",
		}),
		dedupeHits: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "dedupe_hits_total",
			Help: "Messages, statuses and events not forwarded because they were delivered before.",
		}),
		signatureFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "signature_failures_total",
			Help: "Webhook POSTs refused for their X-Hub-Signature-256 (missing, malformed, mismatch).",
		}, []string{"reason"}),
		unroutable: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "unroutable_total",
			Help: "Changes that reached no chatbot: unknown_number (acknowledged), pending (retried), no_template, foreign_waba, malformed.",
		}, []string{"reason"}),
		reconcileRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "reconcile_requests_total",
			Help: "Reconcile requests on MessageTemplates and WhatsAppChannels by result (ok, error, dropped: queue full or shutdown).",
		}, []string{"kind", "result"}),
		previousSecret: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "previous_app_secret_total",
			Help: "Webhooks whose signature matched only a previous app secret (a rotation is in progress).",
		}),
		suppressedLogs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "log_lines_suppressed_total",
			Help: "Log lines of refusals anyone can cause, held back (one line per kind per minute is written): busy, signature, handshake, too_large, body_timeout, loop.",
		}, []string{"kind"}),
		routes: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "routes",
			Help: "Phone numbers currently routed to a chatbot.",
		}),
	}
	m.requestsBy, m.changesBy, m.forwardBy = newCounterCache(m.requests), newCounterCache(m.changes), newObserverCache(m.forwardDuration)
	for _, c := range []prometheus.Collector{
		m.requests, m.changes, m.batchDuration, m.forwardDuration, m.forwardFailures, m.forwardRetries,
		m.dedupeHits, m.signatureFailures, m.unroutable, m.reconcileRequests, m.previousSecret, m.routes, m.suppressedLogs,
	} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// knownFields bounds the field label: Meta adds fields over time.
var knownFields = map[string]bool{
	fieldMessages: true, fieldTemplateStatusUpdate: true, fieldTemplateQualityUpdate: true,
	fieldTemplateComponentsUpdate: true, fieldTemplateCategoryUpdate: true,
	fieldPhoneNumberQualityUpdate: true, fieldPhoneNumberNameUpdate: true, fieldAccountUpdate: true,
	"calls": true, "smb_message_echoes": true, "message_echoes": true, "user_preferences": true,
	"account_alerts": true, "account_review_update": true, "business_capability_update": true,
	"security": true, "history": true, "smb_app_state_sync": true,
}

// fieldLabel returns field, or "other" for a field not in knownFields.
func fieldLabel(field string) string {
	if knownFields[field] {
		return field
	}
	return fieldOther
}
