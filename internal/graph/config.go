package graph

import (
	"net/http"
	"strings"
	"time"

	"github.com/go-logr/logr"
)

// Defaults used when a Config field is left at its zero value.
const (
	// DefaultBaseURL is Meta's Graph API host.
	DefaultBaseURL = "https://graph.facebook.com"
	// DefaultVersion is the Graph API version used when none is configured.
	DefaultVersion = "v25.0"
	// DefaultTimeout bounds one HTTP attempt when Config.HTTPClient is nil.
	DefaultTimeout = 30 * time.Second

	defaultManagementPerHour           = 200
	defaultRegisteredManagementPerHour = 5000
	defaultTemplateCreatesPerHour      = 100
	defaultMaxWait                     = 2 * time.Second
	defaultSlowdownThreshold           = 75

	defaultRetryAttempts  = 3
	defaultRetryBaseDelay = 250 * time.Millisecond
	defaultRetryMaxDelay  = 5 * time.Second
)

// Config configures clients built by New and by a Factory. The zero value
// talks to Meta's production Graph API with the default version and limits.
type Config struct {
	// BaseURL is the scheme and host (optionally a path prefix) of the Graph
	// API, without the version: "https://graph.facebook.com", or the
	// simulator's URL in tests. Default DefaultBaseURL.
	BaseURL string
	// Version is the Graph API version path element, such as "v25.0".
	// Default DefaultVersion.
	Version string
	// HTTPClient sends the requests. The client copies it and wraps its
	// Transport with metrics; the caller's value is not modified. Default: an
	// http.Client with DefaultTimeout.
	HTTPClient *http.Client
	// Limits sizes the client-side rate limiters.
	Limits Limits
	// Retry controls retries of idempotent calls.
	Retry RetryPolicy
	// Logger receives one V(1) line per HTTP attempt. It never sees a secret.
	// Default: discard.
	Logger logr.Logger
	// Clock returns the current time; tests may fake it. Default time.Now.
	Clock func() time.Time
}

// Limits sizes the per-WABA client-side budgets. They are Meta's own:
// management calls are budgeted per app per WABA over a rolling hour, 200
// calls, 5,000 once the WABA has a registered phone number; template
// creation is capped at 100 per WABA per rolling hour. The client counts its
// calls over the same rolling hour, so a bulk apply goes out at once up to
// the hourly count and never past it; past SlowdownThreshold percent in
// Meta's usage headers it spaces calls out instead. Zero fields take the
// defaults.
type Limits struct {
	// Disabled turns every client-side budget off (usage-header blocks too).
	Disabled bool
	// ManagementPerHour is the management-call budget of a WABA with no
	// registered number, per rolling hour. Default 200.
	ManagementPerHour int
	// RegisteredManagementPerHour is the budget once a number of the WABA is
	// seen registered on the Cloud API. Default 5,000.
	RegisteredManagementPerHour int
	// TemplateCreatesPerHour caps template creations per WABA per rolling
	// hour. Default 100.
	TemplateCreatesPerHour int
	// MaxWait is the longest a call waits for its budget. A longer wait
	// (or one past the context deadline) fails at once with a rate-limited
	// error carrying RetryAfter, so a controller requeues instead of
	// blocking a worker. Default 2s.
	MaxWait time.Duration
	// SlowdownThreshold is the usage percentage (from Meta's usage headers)
	// above which calls are spaced out: the hourly budget spread evenly over
	// the hour at the threshold, ten times sparser at 100%. Default 75.
	SlowdownThreshold int
}

// RetryPolicy controls retries of idempotent calls (GETs and a few POSTs Meta
// documents as idempotent) on transient failures. Template creation, edits,
// registration and message sends are never retried.
type RetryPolicy struct {
	// MaxAttempts counts the first attempt; 1 disables retries. Default 3.
	MaxAttempts int
	// BaseDelay is the first backoff; it doubles per attempt. Default 250ms.
	BaseDelay time.Duration
	// MaxDelay caps one backoff. Default 5s.
	MaxDelay time.Duration
}

// withDefaults returns a copy of cfg with every zero field defaulted.
func (cfg Config) withDefaults() Config {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Version == "" {
		cfg.Version = DefaultVersion
	}
	cfg.Version = strings.Trim(cfg.Version, "/")
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: DefaultTimeout}
	}
	if cfg.Logger.GetSink() == nil {
		cfg.Logger = logr.Discard()
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	cfg.Limits = cfg.Limits.withDefaults()
	cfg.Retry = cfg.Retry.withDefaults()
	return cfg
}

func (l Limits) withDefaults() Limits {
	l.ManagementPerHour = orDefault(l.ManagementPerHour, defaultManagementPerHour)
	l.RegisteredManagementPerHour = orDefault(l.RegisteredManagementPerHour, defaultRegisteredManagementPerHour)
	l.TemplateCreatesPerHour = orDefault(l.TemplateCreatesPerHour, defaultTemplateCreatesPerHour)
	l.SlowdownThreshold = orDefault(l.SlowdownThreshold, defaultSlowdownThreshold)
	if l.MaxWait <= 0 {
		l.MaxWait = defaultMaxWait
	}
	return l
}

func (r RetryPolicy) withDefaults() RetryPolicy {
	r.MaxAttempts = orDefault(r.MaxAttempts, defaultRetryAttempts)
	if r.BaseDelay <= 0 {
		r.BaseDelay = defaultRetryBaseDelay
	}
	if r.MaxDelay <= 0 {
		r.MaxDelay = defaultRetryMaxDelay
	}
	return r
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}
