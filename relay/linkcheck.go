package relay

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/kubechat/whatsapp-operator/internal/dialguard"
)

const (
	// linkCacheSize and linkCacheTTL: a link sent to many people is
	// checked once every few minutes.
	linkCacheSize = 4096
	linkCacheTTL  = 5 * time.Minute
	maxRedirects  = 3
)

// linkChecker asks a media link's server, with a bounded HEAD request,
// what it would hand Meta. It refuses only what the answer shows to break
// the kind's rule (Content-Length over the limit, a Content-Type the kind
// does not take) and lets through whatever it cannot tell: Meta has the
// last word. Connections go through a dial guard: never to this pod, the
// node, the cloud metadata service, private ranges or the API server.
type linkChecker struct {
	client  *http.Client
	cache   *expirable.LRU[string, *metaError]
	metrics *metrics
}

// newLinkChecker builds the checker; guard filters every connection.
func newLinkChecker(guard *dialguard.Guard, timeout time.Duration, m *metrics) *linkChecker {
	d := &net.Dialer{Timeout: timeout, Control: guard.Control}
	return &linkChecker{
		client: &http.Client{
			Timeout: timeout,
			Transport: &http.Transport{
				Proxy:                 nil, // through a proxy only the proxy's address would be checked
				DialContext:           d.DialContext,
				TLSHandshakeTimeout:   timeout,
				ResponseHeaderTimeout: timeout,
				MaxIdleConnsPerHost:   2,
				IdleConnTimeout:       30 * time.Second,
			},
			CheckRedirect: func(_ *http.Request, via []*http.Request) error {
				if len(via) >= maxRedirects {
					return errors.New("too many redirects")
				}
				return nil
			},
		},
		cache:   expirable.NewLRU[string, *metaError](linkCacheSize, nil, linkCacheTTL),
		metrics: m,
	}
}

// check returns a refusal when the link's server shows it breaks the rule
// of kind, nil otherwise.
func (c *linkChecker) check(ctx context.Context, kind, link string) *metaError {
	rule, ok := mediaRules[kind]
	if !ok {
		return nil
	}
	key := kind + " " + link
	if merr, ok := c.cache.Get(key); ok {
		c.metrics.linkChecks.WithLabelValues("cached").Inc()
		return merr
	}
	merr, known := c.head(ctx, kind, rule, link)
	switch {
	case !known:
		c.metrics.linkChecks.WithLabelValues("unknown").Inc()
		return nil // not cached: the server may answer next time
	case merr != nil:
		c.metrics.linkChecks.WithLabelValues("refused").Inc()
	default:
		c.metrics.linkChecks.WithLabelValues("ok").Inc()
	}
	c.cache.Add(key, merr)
	return merr
}

// head sends the HEAD request; known is false when it told nothing.
func (c *linkChecker) head(ctx context.Context, kind string, rule mediaRule, link string) (*metaError, bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, link, nil)
	if err != nil {
		return nil, false
	}
	req.Header.Set("User-Agent", "whatsapp-operator-relay (media link check)")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, false
	}
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, false
	}
	if resp.ContentLength > rule.max {
		return invalid("%s.link points at a file of %d bytes (its Content-Length): a %s must be %s", kind, resp.ContentLength, kind, rule.label), true
	}
	switch ct := baseMIME(resp.Header.Get("Content-Type")); {
	case ct == "" || ct == "application/octet-stream" || ct == "binary/octet-stream":
	case !rule.accepts(ct):
		return invalid("%s.link serves %s (its Content-Type): a %s must be %s", kind, ct, kind, rule.label), true
	}
	return nil, true
}
