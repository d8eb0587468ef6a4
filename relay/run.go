package relay

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/dialguard"
	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/providerstate"
	"github.com/kubechat/whatsapp-operator/internal/serving"
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
	opts.LinkDeny = append(opts.LinkDeny, dialguard.APIServerPrefixes(ctx, cfg.Host)...)
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
	return serving.Lifecycle{
		Logger:          log,
		Servers:         servers,
		Caches:          state.Run,
		ShutdownTimeout: opts.ShutdownTimeout,
		Stopping:        func() { r.shuttingDown.Store(true) },
		Draining:        "shutting down: finishing in-flight sends",
		Failed:          "relay failed",
	}.Run(ctx)
}

// listen opens the relay listener and, when asked, the metrics listener.
func listen(opts Options, r *Relay) ([]serving.Server, error) {
	main, err := serving.Listen(opts.Listener, opts.BindAddress)
	if err != nil {
		return nil, err
	}
	// A send may queue, retry and fall back: leave room for all of it.
	write := opts.MaxQueueWait + opts.Retry.Total + 2*opts.SendTimeout
	out := []serving.Server{{Serves: "relay", Listener: main, HTTP: newHTTPServer(r.Handler(), write)}}
	if opts.MetricsBindAddress != "" {
		l, err := serving.Listen(nil, opts.MetricsBindAddress)
		if err != nil {
			_ = main.Close()
			return nil, err
		}
		mux := http.NewServeMux()
		mux.Handle("GET "+PathMetrics, r.metricsHandler())
		out = append(out, serving.Server{Serves: "metrics", Listener: l, HTTP: newHTTPServer(mux, 30*time.Second)})
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
