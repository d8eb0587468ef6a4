package graph

import (
	"crypto/sha256"
	"encoding/hex"

	lru "github.com/hashicorp/golang-lru/v2"
)

// clientCacheSize bounds the cached clients; a rotated token's old client
// falls out of the cache.
const clientCacheSize = 1024

// Factory builds clients from credentials and caches them by a hash of
// (base URL, version, token), so a changed token gets a new client at once
// and an unchanged one keeps its client. All its clients share per-WABA
// limiters, usage readings and template edit budgets. It is safe for
// concurrent use.
type Factory struct {
	cfg     Config
	shared  *shared
	clients *lru.Cache[string, *Client]
}

// ClientOption adjusts one client built by a Factory.
type ClientOption func(*Config)

// WithVersion sets the Graph API version for one client (a MetaProvider's
// graphAPIVersion), overriding the factory's.
func WithVersion(version string) ClientOption {
	return func(c *Config) {
		if version != "" {
			c.Version = version
		}
	}
}

// WithBaseURL sets the Graph API base URL for one client.
func WithBaseURL(baseURL string) ClientOption {
	return func(c *Config) {
		if baseURL != "" {
			c.BaseURL = baseURL
		}
	}
}

// NewFactory returns a factory building clients from cfg.
func NewFactory(cfg Config) *Factory {
	cfg = cfg.withDefaults()
	clients, _ := lru.New[string, *Client](clientCacheSize)
	return &Factory{cfg: cfg, shared: newShared(cfg), clients: clients}
}

// Client returns the cached client for token (and options), building it on
// first use. The cache key is a SHA-256 hash; the token is kept only inside
// the client.
func (f *Factory) Client(token string, opts ...ClientOption) *Client {
	cfg := f.cfg
	for _, o := range opts {
		o(&cfg)
	}
	cfg = cfg.withDefaults()
	key := credentialKey(cfg.BaseURL, cfg.Version, token)
	if c, ok := f.clients.Get(key); ok {
		return c
	}
	c := newClient(cfg, token, f.shared)
	// Another goroutine may have raced us; keep whichever landed first.
	if prev, ok, _ := f.clients.PeekOrAdd(key, c); ok {
		return prev
	}
	return c
}

// Usage returns the latest business usage reading for a WABA across all
// clients. App usage is per app credential and is not folded in: use
// Client.Usage for a reading that includes the calling app's usage.
func (f *Factory) Usage(wabaID string) UsageReading { return f.shared.usage("", wabaID) }

// credentialKey hashes what identifies a client.
func credentialKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}
