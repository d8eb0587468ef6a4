package relay

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"k8s.io/client-go/rest"

	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// Defaults of the tunables in Options.
const (
	DefaultBindAddress     = ":8081"
	DefaultSendTimeout     = 20 * time.Second
	DefaultMaxQueueWait    = 10 * time.Second
	DefaultLinkCheckTime   = 3 * time.Second
	DefaultShutdownTimeout = 25 * time.Second
	// DefaultMaxMessageBytes caps a /messages body: far above any message
	// Meta takes, low enough that many fit in memory at once.
	DefaultMaxMessageBytes = 1 << 20
	// DefaultMaxBufferedBytes bounds the request bodies (messages and
	// uploads) held at once: one 100 MB document and many messages.
	DefaultMaxBufferedBytes = 160 << 20
	// DefaultMaxTextParts bounds the parts a text is split into.
	DefaultMaxTextParts = 16
)

// Options configure one relay, which serves one MetaProvider. The zero
// value of every field other than ProviderNamespace and ProviderName
// means "the production default".
type Options struct {
	// ProviderNamespace and ProviderName identify the MetaProvider served.
	ProviderNamespace string
	ProviderName      string
	// BindAddress serves the send API and the probes (in-cluster only).
	BindAddress string
	// MetricsBindAddress, when set, serves /metrics on its own listener;
	// empty serves /metrics on BindAddress.
	MetricsBindAddress string
	// Kubeconfig is a kubeconfig path; empty means $KUBECONFIG or in-cluster.
	Kubeconfig string
	// GraphAPIURL and GraphAPIVersion locate the Graph API; a provider's
	// spec.graphAPIVersion overrides the version.
	GraphAPIURL     string
	GraphAPIVersion string

	// RestConfig, when set, is used instead of Kubeconfig / in-cluster config.
	RestConfig *rest.Config
	// Listener, when set, is used instead of listening on BindAddress.
	Listener net.Listener
	// Registry receives the relay's metrics (and the Graph client's); nil
	// means a fresh registry with the Go and process collectors.
	Registry *prometheus.Registry
	// Logger receives structured logs; the zero value logs JSON to stderr.
	Logger logr.Logger
	// MetaHTTPClient sends to the Graph API; nil builds one for high
	// throughput to one host.
	MetaHTTPClient *http.Client

	// SendTimeout bounds one request to Meta. A send that times out after
	// it was written is answered "outcome unknown" and never sent again.
	SendTimeout time.Duration
	// MaxQueueWait bounds how long a send waits for its number's budget.
	MaxQueueWait time.Duration
	// Retry bounds retries after 130429, 131056, codes 1/2 and 5xx.
	Retry RetryPolicy
	// DisableRateLimit admits every send at once (benchmarks only).
	DisableRateLimit bool
	// LinkCheckTimeout bounds the HEAD request of a media link.
	LinkCheckTimeout time.Duration
	// LinkDeny are ranges a media link check never connects to, besides
	// loopback, link-local and private ranges; Run adds the API server's
	// addresses.
	LinkDeny []netip.Prefix
	// LinkAllow are ranges a media link check may connect to even though
	// a rule above refuses them (opt-in).
	LinkAllow []netip.Prefix
	// MaxMessageBytes caps a /messages body.
	MaxMessageBytes int64
	// MaxBufferedBytes bounds the bodies held at once; beyond it a request
	// gets 503 (code 2) at once and nothing is sent.
	MaxBufferedBytes int64
	// MaxTextParts bounds how many parts of 4096 characters a text may be
	// split into; a longer text is refused.
	MaxTextParts int
	// ShutdownTimeout bounds how long in-flight requests may run after ctx ends.
	ShutdownTimeout time.Duration
}

// withDefaults validates o and fills in defaults.
func (o Options) withDefaults() (Options, error) {
	if o.ProviderNamespace == "" || o.ProviderName == "" {
		return o, errors.New("relay: --provider-namespace and --provider-name are required")
	}
	if o.BindAddress == "" {
		o.BindAddress = DefaultBindAddress
	}
	if o.GraphAPIURL == "" {
		o.GraphAPIURL = graph.DefaultBaseURL
	}
	if o.GraphAPIVersion == "" {
		o.GraphAPIVersion = graph.DefaultVersion
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
		o.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	if o.Logger.GetSink() == nil {
		o.Logger = logr.FromSlogHandler(slog.NewJSONHandler(os.Stderr, nil))
	}
	setDefault(&o.SendTimeout, DefaultSendTimeout)
	setDefault(&o.MaxQueueWait, DefaultMaxQueueWait)
	setDefault(&o.LinkCheckTimeout, DefaultLinkCheckTime)
	setDefault(&o.MaxMessageBytes, DefaultMaxMessageBytes)
	setDefault(&o.MaxBufferedBytes, DefaultMaxBufferedBytes)
	setDefault(&o.MaxTextParts, DefaultMaxTextParts)
	setDefault(&o.ShutdownTimeout, DefaultShutdownTimeout)
	o.Retry = o.Retry.withDefaults()
	if o.MetaHTTPClient == nil {
		o.MetaHTTPClient = &http.Client{Transport: metaTransport()}
	}
	return o, nil
}

// metaTransport keeps enough connections to Meta open for a number's
// full throughput.
func metaTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 512
	t.MaxIdleConnsPerHost = 256
	t.IdleConnTimeout = 90 * time.Second
	return t
}
