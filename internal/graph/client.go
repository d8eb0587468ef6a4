package graph

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

const (
	errFmtBaseURL = "graph: invalid base URL %q: want scheme and host, such as https://graph.facebook.com"
	errFmtArg     = "graph %s: invalid argument: %s"
)

// Client calls the Graph API with one access token. It is safe for
// concurrent use. Build it with New, or through a Factory to share limiters
// and budgets with other clients.
type Client struct {
	cfg      Config
	base     string
	baseErr  error
	token    string
	scrubber scrubber // removes the token from text, built once
	bearer   []string // the Authorization header value, built once
	appKey   string   // hash of the token: key of its app's usage reading
	http     *http.Client
	shared   *shared
}

// New returns a client for cfg and token with its own limiters. Controllers
// should prefer Factory.Client, which shares limiters per WABA.
func New(cfg Config, token string) *Client {
	cfg = cfg.withDefaults()
	return newClient(cfg, token, newShared(cfg))
}

func newClient(cfg Config, token string, sh *shared) *Client {
	c := &Client{cfg: cfg, token: token, scrubber: newScrubber(token), bearer: []string{"Bearer " + token},
		appKey: credentialKey("app", cfg.BaseURL, token), shared: sh, http: instrument(cfg.HTTPClient)}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The URL is operator configuration, not a secret, but scrub it anyway
		// in case someone embedded credentials in it.
		c.baseErr = fmt.Errorf(errFmtBaseURL, c.scrubber.scrub(redactUserinfo(cfg.BaseURL)))
		return c
	}
	c.base = strings.TrimRight(cfg.BaseURL, "/") + "/" + url.PathEscape(cfg.Version)
	return c
}

// Version is the Graph API version this client calls.
func (c *Client) Version() string { return c.cfg.Version }

// Usage returns the latest usage reading for a WABA (from Meta's usage
// headers), folding in the app usage of this client's token, so a
// controller can stretch its resync interval as the budget runs low.
func (c *Client) Usage(wabaID string) UsageReading { return c.shared.usage(c.appKey, wabaID) }

// redactUserinfo removes a user:password@ part from a URL-looking string.
func redactUserinfo(raw string) string {
	at := strings.Index(raw, "@")
	scheme := strings.Index(raw, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return raw
	}
	return raw[:scheme+3] + redacted + raw[at:]
}

// checkIDs refuses empty ids and ids that could escape their path segment.
func checkIDs(endpoint string, ids ...string) error {
	for _, id := range ids {
		if id == "" || id == "." || id == ".." || strings.ContainsAny(id, "/?#") {
			return fmt.Errorf(errFmtArg, endpoint, fmt.Sprintf("object id %q", id))
		}
	}
	return nil
}
