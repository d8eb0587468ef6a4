package relay

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"time"

	"k8s.io/client-go/rest"

	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/providerstate"
)

// apiUserAgent names the relay in the API server's audit log.
const apiUserAgent = "whatsapp-operator-relay"

// Run serves until ctx is cancelled: it starts the listener at once (so
// probes answer), syncs the caches and loads the access token, then relays
// sends. On cancellation it stops accepting connections, lets in-flight
// sends finish within ShutdownTimeout, and returns nil.
func Run(ctx context.Context, opts Options) error {
	opts, err := opts.withDefaults()
	if err != nil {
		return err
	}
	opts.Logger = opts.Logger.WithValues("provider", opts.ProviderNamespace+"/"+opts.ProviderName)
	log := opts.Logger
	cfg, err := providerstate.RestConfig(opts.RestConfig, opts.Kubeconfig, apiUserAgent)
	if err != nil {
		return err
	}
	opts.LinkDeny = append(opts.LinkDeny, apiServerPrefixes(ctx, cfg)...)
	m, err := newMetrics(opts.Registry)
	if err != nil {
		return fmt.Errorf("register metrics: %w", err)
	}
	if err := graph.RegisterMetrics(opts.Registry); err != nil {
		return fmt.Errorf("register Graph metrics: %w", err)
	}
	tokens := &tokenStore{}
	var r *Relay
	state, err := providerstate.New(ctx, cfg, providerstate.Options{
		Namespace:   opts.ProviderNamespace,
		Provider:    opts.ProviderName,
		Secret:      secretKeys,
		Credentials: tokens,
		OnChange: func(snap providerstate.Snapshot) {
			replicas := 1
			if snap.Provider != nil && snap.Provider.Spec.Relay != nil && snap.Provider.Spec.Relay.Replicas != nil {
				replicas = int(*snap.Provider.Spec.Relay.Replicas)
			}
			r.setSenders(buildSenders(snap), replicas)
		},
		Logger: log,
	})
	if err != nil {
		return err
	}
	r = newRelay(opts, m, state, tokens)

	servers, err := listen(opts, r)
	if err != nil {
		return err
	}
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBG()
	errs := make(chan error, len(servers)+1)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := state.Run(bg); err != nil && bg.Err() == nil {
			errs <- err
		}
	})
	for _, s := range servers {
		wg.Go(func() {
			log.Info("listening", "address", s.listener.Addr().String(), "serves", s.serves)
			if err := s.http.Serve(s.listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errs <- fmt.Errorf("serve %s: %w", s.serves, err)
			}
		})
	}

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down: finishing in-flight sends", "timeout", opts.ShutdownTimeout.String())
	case runErr = <-errs:
		log.Error(runErr, "relay failed")
	}
	r.shuttingDown.Store(true)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opts.ShutdownTimeout)
	defer cancel()
	for _, s := range servers {
		if err := s.http.Shutdown(shutdownCtx); err != nil {
			log.Error(err, "in-flight requests did not finish in time", "serves", s.serves)
			_ = s.http.Close()
		}
	}
	stopBG()
	wg.Wait()
	return runErr
}

// boundServer is an http.Server with its listener.
type boundServer struct {
	serves   string
	http     *http.Server
	listener net.Listener
}

// listen opens the relay listener and, when asked, the metrics listener.
func listen(opts Options, r *Relay) ([]boundServer, error) {
	main := opts.Listener
	if main == nil {
		l, err := net.Listen("tcp", opts.BindAddress)
		if err != nil {
			return nil, fmt.Errorf("listen on %s: %w", opts.BindAddress, err)
		}
		main = l
	}
	// A send may queue, retry and fall back: leave room for all of it.
	write := opts.MaxQueueWait + opts.Retry.Total + 2*opts.SendTimeout
	out := []boundServer{{serves: "relay", listener: main, http: newHTTPServer(r.Handler(), write)}}
	if opts.MetricsBindAddress != "" {
		l, err := net.Listen("tcp", opts.MetricsBindAddress)
		if err != nil {
			_ = main.Close()
			return nil, fmt.Errorf("listen on %s: %w", opts.MetricsBindAddress, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET "+PathMetrics, r.metricsHandler())
		out = append(out, boundServer{serves: "metrics", listener: l, http: newHTTPServer(mux, 30*time.Second)})
	}
	return out, nil
}

// newHTTPServer bounds every phase of a request.
func newHTTPServer(h http.Handler, write time.Duration) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // a 100 MB upload over a slow pod network
		WriteTimeout:      write + 2*time.Minute,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// apiServerPrefixes are the API server's addresses, which a media link
// check must never reach.
func apiServerPrefixes(ctx context.Context, cfg *rest.Config) []netip.Prefix {
	u, err := url.Parse(cfg.Host)
	if err != nil || u.Hostname() == "" {
		return nil
	}
	if a, err := netip.ParseAddr(u.Hostname()); err == nil {
		return []netip.Prefix{netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())}
	}
	lctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(lctx, "ip", u.Hostname())
	if err != nil {
		return nil
	}
	out := make([]netip.Prefix, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out
}
