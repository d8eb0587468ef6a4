package webhookserver

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"os"
	"runtime/debug"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"k8s.io/client-go/rest"

	"github.com/kubechat/whatsapp-operator/internal/sharedstore"
)

// DialFunc opens a connection, like net.Dialer.DialContext. It is the seam
// through which every delivery to a chatbot leaves the process.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Defaults of the tunables in Options.
const (
	DefaultBindAddress          = ":8080"
	DefaultMaxBodyBytes         = 4 << 20 // Meta's payloads can reach 3 MB.
	DefaultBatchTimeout         = 10 * time.Second
	DefaultForwardTimeout       = 8 * time.Second
	DefaultShutdownTimeout      = 20 * time.Second
	DefaultAppSecretGracePeriod = time.Hour
	DefaultDedupeSize           = 65536
	DefaultUnknownNumberRecheck = 30 * time.Second
	// DefaultBodyReadBudget is the memory that unauthenticated bodies may
	// hold at once when GOMEMLIMIT is not set: a quarter of the managed
	// Deployment's 256Mi memory limit.
	DefaultBodyReadBudget = 64 << 20
	// MinConcurrentBodyReads is the floor of the default of
	// Options.MaxConcurrentBodyReads.
	MinConcurrentBodyReads           = 4
	DefaultReconcileRequestQueueSize = 256
	// DefaultMaxForwardsPerChatbot bounds the deliveries in flight to one
	// chatbot: a chatbot answering in 250 ms (Meta's own median target) at
	// 1,000 messages a second has 250 in flight. Past it a stalled chatbot
	// holds no more goroutines or connections.
	DefaultMaxForwardsPerChatbot = 256
	// DefaultBodyReadTimeout bounds the arrival of a body whose signature
	// is not verified yet. Meta sends a few kilobytes at once; only a
	// trickling client needs longer.
	DefaultBodyReadTimeout = 5 * time.Second
)

// Options configure one webhook server, which serves one MetaProvider.
// The zero value of every field other than ProviderNamespace and
// ProviderName means "the production default".
type Options struct {
	// ProviderNamespace and ProviderName identify the MetaProvider served.
	ProviderNamespace string
	ProviderName      string
	// BindAddress is the public listener (Meta's webhooks, path /webhook).
	BindAddress string
	// Kubeconfig is a kubeconfig path; empty means $KUBECONFIG or in-cluster.
	Kubeconfig string
	// CredentialsSecret names the Secret of the provider's namespace to
	// read appSecret, verifyToken, forwardingKey (and appSecretPrevious)
	// from; empty means the Secret the operator derives for this server,
	// <provider>-webhook. For running the server by hand.
	CredentialsSecret string
	// GraphAPIURL and GraphAPIVersion locate the Graph API. They are part of
	// the command line design.md fixes; the inbound path makes no Graph
	// call today (the relay, its own Deployment, does).
	GraphAPIURL     string
	GraphAPIVersion string

	// MetricsBindAddress, when set, serves /metrics on its own listener;
	// empty serves /metrics on the public listener beside /webhook.
	MetricsBindAddress string

	// RestConfig, when set, is used instead of Kubeconfig / in-cluster config.
	RestConfig *rest.Config
	// Listener, when set, is used instead of listening on BindAddress.
	Listener net.Listener
	// DialContext, when set, opens every connection to a chatbot. The
	// default refuses loopback, link-local (cloud metadata), unspecified and
	// multicast addresses and the API server's, except what
	// ChatbotAllowCIDRs re-opens (see reopeningRanges).
	DialContext DialFunc
	// ChatbotAllowCIDRs are the provider's spec.webhook.allowedEgressCIDRs.
	// For chatbot dials a range re-opens refused addresses only inside a
	// refused block (link-local, the API server's addresses) and never a
	// cloud metadata address.
	ChatbotAllowCIDRs []netip.Prefix
	// ChatbotAllowLoopback lets chatbot dials reach this host's loopback
	// addresses (127.0.0.0/8, ::1), an API server there included. Only for
	// a webhook server run outside a cluster beside a local chatbot (make
	// demo, a laptop): in a pod loopback is the pod itself. The operator
	// never sets it; link-local and cloud metadata stay refused.
	ChatbotAllowLoopback bool
	// MaxForwardsPerChatbot bounds the deliveries in flight to one chatbot
	// (a URL, or a Service). Beyond it a delivery fails at once and
	// Meta gets 503 for that batch (it retries).
	MaxForwardsPerChatbot int
	// Registry receives the server's metrics; nil means a fresh registry
	// with the Go and process collectors.
	Registry *prometheus.Registry
	// Logger receives structured logs; the zero value logs JSON to stderr.
	Logger logr.Logger

	// MaxBodyBytes caps a webhook body; larger bodies get 413.
	MaxBodyBytes int64
	// BatchTimeout bounds the handling of one webhook POST; past it Meta gets 503.
	BatchTimeout time.Duration
	// ForwardTimeout bounds one delivery to one chatbot.
	ForwardTimeout time.Duration
	// ShutdownTimeout bounds how long in-flight requests may run after ctx ends.
	ShutdownTimeout time.Duration
	// AppSecretGracePeriod is how long the previous app secret is still
	// accepted after the Secret's appSecret changes.
	AppSecretGracePeriod time.Duration
	// DedupeSize is the number of delivered message and status ids remembered.
	DedupeSize int
	// UnknownNumberRecheck is how long a number that no channel claims, as
	// confirmed by the API server, is remembered before it is checked again.
	UnknownNumberRecheck time.Duration
	// MaxConcurrentBodyReads bounds the webhook bodies read and held before
	// their signature is checked: up to MaxBodyBytes each, from anyone who
	// can reach the port. A POST beyond it gets 503 at once (Meta retries).
	// The default spends a quarter of the Go memory limit (GOMEMLIMIT, else
	// DefaultBodyReadBudget) on MaxBodyBytes-sized bodies, and is at least
	// MinConcurrentBodyReads.
	MaxConcurrentBodyReads int
	// BodyReadTimeout bounds how long a webhook body may take to arrive:
	// until its signature is checked it comes from anyone who can reach the
	// port and holds one of MaxConcurrentBodyReads.
	BodyReadTimeout time.Duration
	// SharedState, when its Address is set, is the Redis-protocol store
	// the replicas share (spec.sharedState.redis): each delivery is
	// claimed there before it is forwarded and marked done after the
	// chatbot's 2xx, so that a retry reaching another replica is not
	// delivered twice. Namespace and Provider are filled in from
	// ProviderNamespace and ProviderName. Without it the dedupe memory is
	// this replica's LRU (DedupeSize).
	SharedState sharedstore.Config
	// ReconcileRequestQueueSize bounds the reconcile requests (template and
	// phone-number events) waiting to be written in the background; beyond
	// it they are dropped and counted, and polling catches up.
	ReconcileRequestQueueSize int
}

// withDefaults validates o and fills in defaults.
func (o Options) withDefaults() (Options, error) {
	if o.ProviderNamespace == "" || o.ProviderName == "" {
		return o, errors.New("webhook server: --provider-namespace and --provider-name are required")
	}
	if o.BindAddress == "" {
		o.BindAddress = DefaultBindAddress
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
		o.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	if o.Logger.GetSink() == nil {
		o.Logger = logr.FromSlogHandler(slog.NewJSONHandler(os.Stderr, nil))
	}
	setDefault(&o.MaxBodyBytes, DefaultMaxBodyBytes)
	setDefault(&o.BatchTimeout, DefaultBatchTimeout)
	setDefault(&o.ForwardTimeout, DefaultForwardTimeout)
	setDefault(&o.ShutdownTimeout, DefaultShutdownTimeout)
	setDefault(&o.AppSecretGracePeriod, DefaultAppSecretGracePeriod)
	setDefault(&o.DedupeSize, DefaultDedupeSize)
	setDefault(&o.UnknownNumberRecheck, DefaultUnknownNumberRecheck)
	setDefault(&o.ReconcileRequestQueueSize, DefaultReconcileRequestQueueSize)
	setDefault(&o.BodyReadTimeout, DefaultBodyReadTimeout)
	setDefault(&o.MaxForwardsPerChatbot, DefaultMaxForwardsPerChatbot)
	setDefault(&o.MaxConcurrentBodyReads, defaultConcurrentBodyReads(debug.SetMemoryLimit(-1), o.MaxBodyBytes))
	o.SharedState.Namespace, o.SharedState.Provider = o.ProviderNamespace, o.ProviderName
	if o.ForwardTimeout > o.BatchTimeout {
		o.ForwardTimeout = o.BatchTimeout
	}
	return o, nil
}

// openSharedStore opens the shared store of o, or returns nil when none
// is configured.
func openSharedStore(o Options) (*sharedstore.Store, error) {
	if !o.SharedState.Enabled() {
		return nil, nil
	}
	return sharedstore.Open(o.SharedState, o.Logger.WithName("shared-store"), sharedstore.NewMetrics(o.Registry))
}

// defaultConcurrentBodyReads spends a quarter of memLimit (the runtime's
// soft limit; math.MaxInt64 when unset) on bodies of maxBody bytes.
func defaultConcurrentBodyReads(memLimit, maxBody int64) int {
	budget := int64(DefaultBodyReadBudget)
	if memLimit > 0 && memLimit < math.MaxInt64 {
		budget = memLimit / 4
	}
	return int(max(budget/maxBody, MinConcurrentBodyReads))
}

// setDefault sets *v to def when *v is zero or negative.
func setDefault[T int | int64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}
