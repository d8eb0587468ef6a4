package webhookserver

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/dialguard"
	"github.com/kubechat/whatsapp-operator/internal/providerstate"
	"github.com/kubechat/whatsapp-operator/internal/serving"
)

// Run serves until ctx is cancelled: it starts the listener at once (so
// probes answer), syncs the caches, then routes webhooks. On cancellation
// it stops accepting connections, lets in-flight webhooks finish within
// ShutdownTimeout, and returns nil.
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
	m, err := newMetrics(opts.Registry)
	if err != nil {
		return fmt.Errorf("register metrics: %w", err)
	}
	creds := newCredentialStore(opts.AppSecretGracePeriod, time.Now)
	cl, err := newCluster(ctx, cfg, opts, creds, m)
	if err != nil {
		return err
	}
	srv := newServer(serverDeps{
		opts:      opts,
		metrics:   m,
		creds:     creds,
		routes:    cl.Table,
		synced:    cl.Synced,
		resolver:  &sliceResolver{reader: cl.Reader()},
		requester: &annotationRequester{reader: cl.Reader(), live: cl.Live(), writer: cl.Live(), namespace: opts.ProviderNamespace, provider: opts.ProviderName, now: time.Now},
		confirmer: newLiveConfirmer(cl.Live(), opts.ProviderNamespace, opts.ProviderName, opts.UnknownNumberRecheck),
		apiServer: dialguard.APIServerPrefixes(ctx, cfg.Host),
	})

	servers, err := listen(opts, srv)
	if err != nil {
		return err
	}
	return serving.Lifecycle{
		Logger:          log,
		Servers:         servers,
		Caches:          cl.Run,
		ShutdownTimeout: opts.ShutdownTimeout,
		Stopping:        func() { srv.shuttingDown.Store(true) },
		Drained:         srv.nudges.drain, // reads templates from the caches: before they stop
		Draining:        "shutting down: draining in-flight webhooks",
		Failed:          "webhook server failed",
	}.Run(ctx)
}

// apiUserAgent names the webhook server in the API server's audit log.
const apiUserAgent = "whatsapp-operator-webhook-server"

// listen opens the public listener and, when asked, the metrics listener.
func listen(opts Options, srv *Server) ([]serving.Server, error) {
	public, err := serving.Listen(opts.Listener, opts.BindAddress)
	if err != nil {
		return nil, err
	}
	out := []serving.Server{{Serves: "webhook", Listener: public, HTTP: newHTTPServer(srv.Handler(), opts.BatchTimeout)}}
	if opts.MetricsBindAddress != "" {
		l, err := serving.Listen(nil, opts.MetricsBindAddress)
		if err != nil {
			_ = public.Close()
			return nil, err
		}
		mux := http.NewServeMux()
		mux.Handle("GET "+PathMetrics, srv.metricsHandler())
		out = append(out, serving.Server{Serves: "metrics", Listener: l, HTTP: newHTTPServer(mux, opts.BatchTimeout)})
	}
	return out, nil
}

// newHTTPServer bounds every phase of a request; the write timeout leaves
// room for the batch timeout.
func newHTTPServer(h http.Handler, batchTimeout time.Duration) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      batchTimeout + 30*time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}
