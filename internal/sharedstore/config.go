package sharedstore

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Defaults of Config's tunables.
const (
	// DefaultDedupeTTL is how long a delivered item is remembered: a day of
	// Meta's up to seven days of retries. A batch is retried that long only
	// while one of its chatbots keeps failing; the parts other chatbots
	// took are then delivered again once their marks expired.
	DefaultDedupeTTL = 24 * time.Hour
	// DefaultClaimLease bounds how long a claim of a replica that died
	// mid-delivery blocks the item: longer than any delivery may take
	// (the webhook server's batch timeout is 10 s).
	DefaultClaimLease = 30 * time.Second
	// DefaultOpTimeout bounds one round trip to the store; past it the
	// caller falls back as for any other store error.
	DefaultOpTimeout = 500 * time.Millisecond
	// DefaultRetryAfter is how long the store is not asked again after an
	// error: meanwhile every operation falls back at once.
	DefaultRetryAfter = time.Second
	// DefaultKeyPrefix is the key prefix when the provider sets none.
	DefaultKeyPrefix = "whatsapp:"
)

// Config locates one provider's store and names its keys. The zero value
// of each tunable means its default.
type Config struct {
	// Address is host:port of the store.
	Address string
	// Database is the logical database (SELECT); 0 by default.
	Database int
	// Username is the ACL user; empty means the default user.
	Username string
	// PasswordFile, when set, holds the password; it is read at every new
	// connection, so a rotated Secret mounted there is picked up without a
	// restart.
	PasswordFile string
	// Password is used when PasswordFile is empty (tests).
	Password string
	// TLS turns TLS on; CAFile, when set, holds the PEM certificates that
	// may sign the store's certificate (otherwise the system roots).
	TLS    bool
	CAFile string
	// CAPEM holds the CA certificates themselves, instead of CAFile (the
	// operator's own check reads them from the Secret or ConfigMap).
	CAPEM []byte
	// ServerName overrides the name checked in the store's certificate
	// (default: the host of Address).
	ServerName string
	// KeyPrefix starts every key; empty or ending in ':'.
	KeyPrefix string
	// AllowAddresses re-open addresses the store's dialer refuses:
	// loopback (the pod itself), link-local and cloud metadata addresses,
	// unspecified and multicast ones (tests: 127.0.0.0/8).
	AllowAddresses []netip.Prefix
	// Namespace and Provider name the MetaProvider whose keys these are.
	Namespace, Provider string

	// DedupeTTL is how long a delivered item is remembered.
	DedupeTTL time.Duration
	// ClaimLease is how long a claim holds when its replica never
	// finishes.
	ClaimLease time.Duration
	// OpTimeout bounds one round trip.
	OpTimeout time.Duration
	// RetryAfter is how long the store is left alone after an error.
	RetryAfter time.Duration
}

// Enabled reports whether a store is configured.
func (c *Config) Enabled() bool { return c != nil && c.Address != "" }

// withDefaults validates c and fills in defaults.
func (c Config) withDefaults() (Config, error) {
	if c.Address == "" {
		return c, errors.New("shared store: no address")
	}
	if c.Namespace == "" || c.Provider == "" {
		return c, errors.New("shared store: the provider's namespace and name are required")
	}
	if c.KeyPrefix != "" && !strings.HasSuffix(c.KeyPrefix, ":") {
		return c, fmt.Errorf("shared store: key prefix %q must end in ':'", c.KeyPrefix)
	}
	if strings.ContainsAny(c.Namespace+c.Provider, ":/") {
		return c, errors.New("shared store: namespace and provider name cannot hold ':' or '/'")
	}
	setDefault(&c.DedupeTTL, DefaultDedupeTTL)
	setDefault(&c.ClaimLease, DefaultClaimLease)
	setDefault(&c.OpTimeout, DefaultOpTimeout)
	setDefault(&c.RetryAfter, DefaultRetryAfter)
	return c, nil
}

// BindFlags registers the store's command-line flags of the webhook-server
// and relay commands on fs, filling c. Namespace and Provider come from
// --provider-namespace and --provider-name. The password is only ever read
// from a file (a Secret's key mounted by the kubelet), never from a flag,
// which anyone who can list processes or read the pod spec would see.
func BindFlags(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.Address, "redis-address", "", "host:port of a Redis-protocol store shared by the replicas (spec.sharedState.redis); empty keeps dedupe and send budgets in memory.")
	fs.IntVar(&c.Database, "redis-database", 0, "Database number of the store.")
	fs.StringVar(&c.Username, "redis-username", "", "ACL user of the store.")
	fs.StringVar(&c.PasswordFile, "redis-password-file", "", "File holding the store's password, read at each new connection.")
	fs.BoolVar(&c.TLS, "redis-tls", false, "Connect to the store over TLS.")
	fs.StringVar(&c.CAFile, "redis-ca-file", "", "PEM file of the CA certificates that sign the store's certificate (default: system roots).")
	fs.StringVar(&c.ServerName, "redis-server-name", "", "Name expected in the store's certificate (default: the address's host).")
	fs.StringVar(&c.KeyPrefix, "redis-key-prefix", DefaultKeyPrefix, "Prefix of every key, ending in ':'; the provider's namespace/name follows it.")
	fs.DurationVar(&c.DedupeTTL, "redis-dedupe-ttl", DefaultDedupeTTL, "How long a delivered message is remembered in the store.")
	fs.DurationVar(&c.OpTimeout, "redis-op-timeout", DefaultOpTimeout, "Bound of one round trip to the store; past it the operation falls back as in an outage (inbound at least once, sends paced locally).")
	fs.Var(loopbackFlag{c}, "redis-allow-loopback", "Let the store's address be on this host's loopback (127.0.0.0/8, ::1). Only for running the workload outside a cluster beside a local redis-server (tests); in a pod loopback is the pod itself. The operator never sets it.")
}

// loopback is what --redis-allow-loopback re-opens.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// loopbackFlag is --redis-allow-loopback: a boolean flag that adds the
// loopback ranges to Config.AllowAddresses.
type loopbackFlag struct{ c *Config }

func (f loopbackFlag) IsBoolFlag() bool { return true }

func (f loopbackFlag) String() string {
	if f.c == nil {
		return "false"
	}
	return strconv.FormatBool(slices.Contains(f.c.AllowAddresses, loopback[0]))
}

func (f loopbackFlag) Set(v string) error {
	on, err := strconv.ParseBool(v)
	if err != nil {
		return err
	}
	f.c.AllowAddresses = slices.DeleteFunc(f.c.AllowAddresses, func(p netip.Prefix) bool { return slices.Contains(loopback, p) })
	if on {
		f.c.AllowAddresses = append(f.c.AllowAddresses, loopback...)
	}
	return nil
}

// setDefault sets *v to def when *v is zero or negative.
func setDefault[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}
