package webhookserver

import (
	"net/http"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kubechat/whatsapp-operator/internal/sharedstore"
)

// Paths served on the public listener.
const (
	PathWebhook = "/webhook"
	PathHealthz = "/healthz"
	PathReadyz  = "/readyz"
	PathMetrics = "/metrics"
)

// Server is the HTTP side of the webhook server: Meta's handshake and
// notifications on /webhook, probes, and optionally /metrics. It reads the
// cluster only through the seams in serverDeps, so that it can be tested
// without an API server.
type Server struct {
	log      logr.Logger
	metrics  *metrics
	gatherer prometheus.Gatherer
	creds    *credentialStore
	routes   func() *RouteTable
	synced   func() bool
	dedupe   deduper
	// shared, when set, claims deliveries across replicas (claims.go).
	shared    sharedClaims
	forwarder *forwarder
	nudges    *nudger
	confirmer numberConfirmer
	maxBody   int64
	// bodySlots bounds the bodies read before their signature is checked.
	bodySlots chan struct{}
	// bodyReadTimeout bounds the arrival of a body not yet verified.
	bodyReadTimeout time.Duration
	// refusalLogs rate-limits the log lines of refusals anyone can cause.
	refusalLogs  *refusalLogs
	batchTimeout time.Duration
	serveMetrics bool
	shuttingDown atomic.Bool
	// unknownLogged and pendingLogged limit the logs of dropped unknown
	// numbers and of numbers not routable yet to one line per number and
	// period at the default level; the metrics count every change.
	unknownLogged *expirable.LRU[string, struct{}]
	pendingLogged *expirable.LRU[string, struct{}]
}

// serverDeps are what a Server needs; Run builds them from the cluster,
// tests from fakes.
type serverDeps struct {
	opts      Options // with defaults applied
	metrics   *metrics
	creds     *credentialStore
	routes    func() *RouteTable // nil until the caches synced
	synced    func() bool        // every other informer (Secret, templates, endpoints) synced
	resolver  endpointResolver
	requester reconcileRequester
	confirmer numberConfirmer
	// store is the shared store (spec.sharedState), nil for memory only.
	store *sharedstore.Store
	// apiServer are the API server's addresses, refused to chatbot dials
	// (Run finds them: dialguard.APIServerPrefixes).
	apiServer []netip.Prefix
}

// chatbotDialer is Options.DialContext, or the guarded default.
func chatbotDialer(d serverDeps) DialFunc {
	if d.opts.DialContext != nil {
		return d.opts.DialContext
	}
	dial, ignored := guardedDialer(d.apiServer, d.opts.ChatbotAllowCIDRs, d.opts.ChatbotAllowLoopback)
	for _, p := range ignored {
		d.opts.Logger.Info("allowed egress range re-opens no refused address for chatbots (too broad, or holds a cloud metadata address); it still opens the egress NetworkPolicy",
			"range", p.String())
	}
	return dial
}

// numberLogPeriod: a number's "unknown" or "not routable yet" line is
// logged at the default level once per period.
const numberLogPeriod = 5 * time.Minute

// newServer assembles a Server.
func newServer(d serverDeps) *Server {
	var shared sharedClaims
	if d.store != nil {
		shared = storeClaims{d.store}
	}
	return &Server{
		shared:          shared,
		log:             d.opts.Logger,
		metrics:         d.metrics,
		gatherer:        d.opts.Registry,
		creds:           d.creds,
		routes:          d.routes,
		synced:          d.synced,
		dedupe:          newDedupeCache(d.opts.DedupeSize),
		nudges:          newNudger(d.opts.Logger, d.metrics, d.requester, d.opts.ReconcileRequestQueueSize),
		confirmer:       d.confirmer,
		maxBody:         d.opts.MaxBodyBytes,
		bodySlots:       make(chan struct{}, d.opts.MaxConcurrentBodyReads),
		bodyReadTimeout: d.opts.BodyReadTimeout,
		refusalLogs:     newRefusalLogs(),
		batchTimeout:    d.opts.BatchTimeout,
		serveMetrics:    d.opts.MetricsBindAddress == "",
		unknownLogged:   expirable.NewLRU[string, struct{}](1024, nil, numberLogPeriod),
		pendingLogged:   expirable.NewLRU[string, struct{}](1024, nil, numberLogPeriod),
		forwarder: &forwarder{
			client:        newHTTPClient(chatbotDialer(d)),
			maxInFlight:   int32(d.opts.MaxForwardsPerChatbot),
			resolver:      d.resolver,
			providerValue: []string{d.opts.ProviderNamespace + "/" + d.opts.ProviderName},
			timeout:       d.opts.ForwardTimeout,
			metrics:       d.metrics,
		},
	}
}

// Handler returns the public mux.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(PathWebhook, s.handleWebhook)
	mux.HandleFunc("GET "+PathHealthz, func(w http.ResponseWriter, _ *http.Request) { writeText(w, http.StatusOK, "ok") })
	mux.HandleFunc("GET "+PathReadyz, s.handleReadyz)
	if s.serveMetrics {
		mux.Handle("GET "+PathMetrics, s.metricsHandler())
	}
	return mux
}

// metricsHandler serves the registry.
func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.gatherer, promhttp.HandlerOpts{})
}

// handleWebhook dispatches /webhook by method.
func (s *Server) handleWebhook(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get(HeaderForwarded) != "" {
		// One of ours, come back: a channel aimed at a webhook server
		// (this one, through its Ingress). Forwarding it again would loop.
		refuseUnread(w)
		s.logRefusal(logLoop, "webhook refused: it was forwarded by a webhook server (a chatbot URL points at a webhook server)",
			"forwardedBy", r.Header.Get(HeaderForwarded))
		s.reply(w, r, http.StatusLoopDetected, "loop")
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.handleHandshake(w, r)
	case http.MethodPost:
		s.handleNotification(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		s.reply(w, r, http.StatusMethodNotAllowed, "method_not_allowed")
	}
}

// Ready reports whether webhooks can be served: caches synced, credentials
// loaded, not shutting down.
func (s *Server) Ready() bool {
	return !s.shuttingDown.Load() && s.routes() != nil && s.synced() && s.creds.Ready()
}

// handleReadyz answers the readiness probe.
func (s *Server) handleReadyz(w http.ResponseWriter, _ *http.Request) {
	switch {
	case s.shuttingDown.Load():
		writeText(w, http.StatusServiceUnavailable, "shutting down")
	case s.routes() == nil || !s.synced():
		writeText(w, http.StatusServiceUnavailable, "caches not synced")
	case !s.creds.Ready():
		writeText(w, http.StatusServiceUnavailable, "credentials not loaded")
	default:
		writeText(w, http.StatusOK, "ok")
	}
}

// reply writes a short text answer and counts it.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, code int, outcome string) {
	s.countRequest(r, outcome)
	writeText(w, code, outcome)
}

// countRequest counts one request by method and outcome.
func (s *Server) countRequest(r *http.Request, outcome string) {
	s.metrics.requestsBy.with(methodLabel(r.Method), outcome).Inc()
}

// methodLabel bounds the method label: the method is whatever the client
// sent (curl -X FOO1 … FOOn), and each distinct value would be a series.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodPost:
		return method
	default:
		return "other"
	}
}

// writeText writes a plain-text answer.
func writeText(w http.ResponseWriter, code int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(text + "\n"))
}
