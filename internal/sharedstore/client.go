package sharedstore

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/redis/go-redis/v9"

	"github.com/kubechat/whatsapp-operator/internal/dialguard"
)

// Store is one provider's view of the shared store: its keys, its client
// and the state of the connection. It is safe for concurrent use.
type Store struct {
	cfg     Config
	rdb     *redis.Client
	batch   *batcher
	keys    keyLayout
	health  *Health
	metrics *Metrics
	log     logr.Logger
}

// Open builds a Store for cfg. It does not connect: the first operation
// does, and a store that cannot be reached is a fallback, not a failure to
// start. It fails only on a configuration that can never work (no
// address, an unreadable CA file).
func Open(cfg Config, log logr.Logger, m *Metrics) (*Store, error) {
	quietLibrary.Do(func() { redis.SetLogger(discardLogger{}) })
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	opts := &redis.Options{
		Addr:     cfg.Address,
		DB:       cfg.Database,
		Username: cfg.Username,
		// Errors are the caller's to handle (fallback); the client does
		// not retry on its own, which would stretch a failure past
		// OpTimeout.
		MaxRetries:         -1,
		DialerRetries:      1,
		DialerRetryTimeout: 10 * time.Millisecond,
		DialTimeout:        cfg.OpTimeout * 2,
		ReadTimeout:        cfg.OpTimeout,
		WriteTimeout:       cfg.OpTimeout,
		// Commands time out on their own (ReadTimeout): a caller's
		// context deadline is not pushed onto the socket each call.
		ContextTimeoutEnabled: false,
		PoolSize:              32,
		// RESP2: no CLIENT SETINFO / HELLO surprises on managed services
		// and older servers.
		Protocol:        2,
		DisableIdentity: true,
	}
	// The address is the namespace's to choose: it never reaches the
	// pod's own ports, link-local or cloud metadata addresses (after DNS).
	guard := dialguard.New(nil, cfg.AllowAddresses)
	dialer := &net.Dialer{Timeout: opts.DialTimeout, KeepAlive: 5 * time.Minute, Control: guard.Control}
	if cfg.PasswordFile != "" {
		file := cfg.PasswordFile
		opts.CredentialsProviderContext = func(context.Context) (string, string, error) {
			pw, err := os.ReadFile(file)
			if err != nil {
				return "", "", fmt.Errorf("read the store's password file: %w", err)
			}
			return cfg.Username, strings.TrimSpace(string(pw)), nil
		}
	} else {
		opts.Password = cfg.Password
	}
	var tc *tls.Config
	if cfg.TLS {
		if tc, err = tlsConfig(cfg); err != nil {
			return nil, err
		}
		opts.TLSConfig = tc
	}
	opts.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dialer.DialContext(ctx, network, addr)
		if err != nil || tc == nil {
			return conn, err
		}
		t := tls.Client(conn, tc)
		if err := t.HandshakeContext(ctx); err != nil {
			_ = conn.Close()
			return nil, err
		}
		return t, nil
	}
	if m == nil {
		m = NewMetrics(nil)
	}
	s := &Store{
		cfg:     cfg,
		rdb:     redis.NewClient(opts),
		keys:    newKeyLayout(cfg.KeyPrefix, cfg.Namespace, cfg.Provider),
		metrics: m,
		log:     log,
	}
	s.batch = newBatcher(s.rdb, cfg.OpTimeout)
	s.health = newHealth(cfg.RetryAfter, log, m, time.Now)
	return s, nil
}

// quietLibrary silences go-redis's own logger (a process-wide setting):
// it would print every failed dial to stderr; Health logs outages once a
// minute instead.
var quietLibrary sync.Once

type discardLogger struct{}

func (discardLogger) Printf(context.Context, string, ...any) {}

// tlsConfig verifies the store's certificate against CAFile (or the system
// roots) and ServerName (or the address's host).
func tlsConfig(cfg Config) (*tls.Config, error) {
	host, _, err := net.SplitHostPort(cfg.Address)
	if err != nil {
		return nil, fmt.Errorf("shared store: address %q: %w", cfg.Address, err)
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: host}
	if cfg.ServerName != "" {
		tc.ServerName = cfg.ServerName
	}
	if cfg.CAFile != "" || len(cfg.CAPEM) > 0 {
		pem := cfg.CAPEM
		if cfg.CAFile != "" {
			if pem, err = os.ReadFile(cfg.CAFile); err != nil {
				return nil, fmt.Errorf("shared store: CA file: %w", err)
			}
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New("shared store: the CA file holds no PEM certificate")
		}
		tc.RootCAs = pool
	}
	return tc, nil
}

// Close closes the connections.
func (s *Store) Close() error {
	s.batch.close()
	return s.rdb.Close()
}

// Health is the store's connection state.
func (s *Store) Health() *Health { return s.health }

// Ping asks the store once, bypassing the fail-fast window (the operator's
// check, readiness of a test). Its outcome updates Health.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.OpTimeout*2)
	defer cancel()
	err := s.rdb.Ping(ctx).Err()
	s.health.record("ping", err)
	return err
}

// Metrics are the store's metrics.
func (s *Store) Metrics() *Metrics { return s.metrics }

// Config is the configuration with defaults applied.
func (s *Store) Config() Config { return s.cfg }
