package relay

import (
	"context"
	"sync/atomic"

	"github.com/go-logr/logr"
	"golang.org/x/sync/semaphore"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/dialguard"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// clusterView is what the relay reads of the cluster (providerstate.State
// in production).
type clusterView interface {
	Synced() bool
	CredentialsReady() bool
	Provider(ctx context.Context) (*whatsappv1alpha1.MetaProvider, error)
	Templates(ctx context.Context) ([]whatsappv1alpha1.MessageTemplate, error)
}

// Relay serves one provider's send API.
type Relay struct {
	opts    Options
	log     logr.Logger
	metrics *metrics
	cluster clusterView
	tokens  *tokenStore
	factory *graph.Factory
	senders atomic.Pointer[senderTable]
	sender  *sender
	budget  *graph.SendBudget
	lanes   *lanes
	links   *linkChecker
	buffers *semaphore.Weighted
	// last is the client of the latest token and version, so that the hot
	// path does not hash the token per send.
	last atomic.Pointer[cachedClient]

	shuttingDown atomic.Bool
}

// cachedClient is a Graph client with what it was built for.
type cachedClient struct {
	token, version string
	client         *graph.Client
}

// newRelay assembles a Relay; opts has its defaults.
func newRelay(opts Options, m *metrics, cluster clusterView, tokens *tokenStore) *Relay {
	r := &Relay{
		opts:    opts,
		log:     opts.Logger,
		metrics: m,
		cluster: cluster,
		tokens:  tokens,
		factory: graph.NewFactory(graph.Config{
			BaseURL: opts.GraphAPIURL, Version: opts.GraphAPIVersion, HTTPClient: opts.MetaHTTPClient,
			Logger: opts.Logger.WithName("graph"),
		}),
		budget:  graph.NewSendBudget(graph.SendBudgetOptions{MaxWait: opts.MaxQueueWait, Disabled: opts.DisableRateLimit}),
		lanes:   newLanes(),
		buffers: semaphore.NewWeighted(opts.MaxBufferedBytes),
	}
	deny := append(dialguard.PrivateRanges(), opts.LinkDeny...)
	r.links = newLinkChecker(dialguard.New(deny, opts.LinkAllow), opts.LinkCheckTimeout, m)
	r.sender = &sender{client: r.client, budget: r.budget, retry: opts.Retry, timeout: opts.SendTimeout, metrics: m}
	r.senders.Store(&senderTable{byPNID: map[string]senderInfo{}})
	return r
}

// client is the Graph client for the current token and version.
func (r *Relay) client(version string) (*graph.Client, error) {
	token := r.tokens.Token()
	if token == "" {
		return nil, errNoToken
	}
	if c := r.last.Load(); c != nil && c.token == token && c.version == version {
		return c.client, nil
	}
	c := &cachedClient{token: token, version: version, client: r.factory.Client(token, graph.WithVersion(version))}
	r.last.Store(c)
	return c.client, nil
}

// setSenders takes a new view of the provider and its channels.
func (r *Relay) setSenders(t *senderTable, replicas int) {
	r.senders.Store(t)
	r.budget.SetReplicas(replicas)
	r.metrics.senders.Set(float64(len(t.byPNID)))
}

// fallbackTemplate finds the provider's fallback template in the cache.
func (r *Relay) fallbackTemplate(ctx context.Context) (fallbackTemplate, string) {
	provider, err := r.cluster.Provider(ctx)
	if err != nil || provider == nil {
		return fallbackTemplate{}, "the MetaProvider cannot be read"
	}
	templates, err := r.cluster.Templates(ctx)
	if err != nil {
		return fallbackTemplate{}, "the MessageTemplates cannot be read"
	}
	return findFallback(provider, templates)
}

// Ready reports whether sends can be served: caches synced, the access
// token loaded, not shutting down.
func (r *Relay) Ready() bool {
	return !r.shuttingDown.Load() && r.cluster.Synced() && r.cluster.CredentialsReady() && r.tokens.Token() != ""
}
