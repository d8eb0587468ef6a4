package webhookserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/providerstate"
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
		apiServer: apiServerPrefixes(hostOf(cfg.Host)),
	})

	servers, err := listen(opts, srv)
	if err != nil {
		return err
	}

	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBG()
	errs := make(chan error, len(servers)+1)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := cl.Run(bg); err != nil && bg.Err() == nil {
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
		log.Info("shutting down: draining in-flight webhooks", "timeout", opts.ShutdownTimeout.String())
	case runErr = <-errs:
		log.Error(runErr, "webhook server failed")
	}
	srv.shuttingDown.Store(true)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opts.ShutdownTimeout)
	defer cancel()
	for _, s := range servers {
		if err := s.http.Shutdown(shutdownCtx); err != nil {
			log.Error(err, "in-flight requests did not finish in time", "serves", s.serves)
			_ = s.http.Close()
		}
	}
	srv.nudges.drain(shutdownCtx) // reads templates from the caches: before they stop
	stopBG()                      // caches stay readable until every in-flight webhook is done
	wg.Wait()
	return runErr
}

// apiUserAgent names the webhook server in the API server's audit log.
const apiUserAgent = "whatsapp-operator-webhook-server"

// boundServer is an http.Server with its listener.
type boundServer struct {
	serves   string
	http     *http.Server
	listener net.Listener
}

// listen opens the public listener and, when asked, the metrics listener.
func listen(opts Options, srv *Server) ([]boundServer, error) {
	public := opts.Listener
	if public == nil {
		l, err := net.Listen("tcp", opts.BindAddress)
		if err != nil {
			return nil, fmt.Errorf("listen on %s: %w", opts.BindAddress, err)
		}
		public = l
	}
	out := []boundServer{{serves: "webhook", listener: public, http: newHTTPServer(srv.Handler(), opts.BatchTimeout)}}
	if opts.MetricsBindAddress != "" {
		l, err := net.Listen("tcp", opts.MetricsBindAddress)
		if err != nil {
			_ = public.Close()
			return nil, fmt.Errorf("listen on %s: %w", opts.MetricsBindAddress, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET "+PathMetrics, srv.metricsHandler())
		out = append(out, boundServer{serves: "metrics", listener: l, http: newHTTPServer(mux, opts.BatchTimeout)})
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
