package serving

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/go-logr/logr"
)

// Server is an http.Server with its listener and what it serves, for log
// lines ("webhook", "relay", "metrics").
type Server struct {
	Serves   string
	HTTP     *http.Server
	Listener net.Listener
}

// Listen returns given when it is set (tests pass a listener they opened),
// else a new TCP listener on address.
func Listen(given net.Listener, address string) (net.Listener, error) {
	if given != nil {
		return given, nil
	}
	l, err := net.Listen("tcp", address)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", address, err)
	}
	return l, nil
}

// Lifecycle is what Run starts and stops.
type Lifecycle struct {
	Logger  logr.Logger
	Servers []Server
	// Caches runs from the start until every server has drained (handlers
	// read them to the last request); an error it returns before then stops
	// the servers and is Run's error.
	Caches func(context.Context) error
	// ShutdownTimeout bounds how long in-flight requests may take to finish.
	ShutdownTimeout time.Duration
	// Stopping is called first when stopping (the handler's readiness turns
	// false); Drained after the servers drained, before the caches stop.
	Stopping func()
	Drained  func(context.Context)
	// Draining is logged when the context ends ("shutting down: ..."),
	// Failed with the error when a server or the caches fail.
	Draining, Failed string
}

// Run serves until ctx is cancelled or a server or the caches fail, then
// stops as the package doc says. It returns nil after a cancellation and the
// failure otherwise.
func (l Lifecycle) Run(ctx context.Context) error {
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBG()
	errs := make(chan error, len(l.Servers)+1)
	var wg sync.WaitGroup
	if l.Caches != nil {
		wg.Go(func() {
			if err := l.Caches(bg); err != nil && bg.Err() == nil {
				errs <- err
			}
		})
	}
	for _, s := range l.Servers {
		wg.Go(func() {
			l.Logger.Info("listening", "address", s.Listener.Addr().String(), "serves", s.Serves)
			if err := s.HTTP.Serve(s.Listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errs <- fmt.Errorf("serve %s: %w", s.Serves, err)
			}
		})
	}

	var runErr error
	select {
	case <-ctx.Done():
		l.Logger.Info(l.Draining, "timeout", l.ShutdownTimeout.String())
	case runErr = <-errs:
		l.Logger.Error(runErr, l.Failed)
	}
	if l.Stopping != nil {
		l.Stopping()
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.ShutdownTimeout)
	defer cancel()
	for _, s := range l.Servers {
		if err := s.HTTP.Shutdown(shutdownCtx); err != nil {
			l.Logger.Error(err, "in-flight requests did not finish in time", "serves", s.Serves)
			_ = s.HTTP.Close()
		}
	}
	if l.Drained != nil {
		l.Drained(shutdownCtx)
	}
	stopBG() // caches stay readable until every in-flight request is done
	wg.Wait()
	return runErr
}
