package serving

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
)

// order records the steps of a shutdown as they happen.
type order struct{ steps chan string }

func (o *order) add(s string) { o.steps <- s }

func (o *order) list() []string {
	close(o.steps)
	var out []string
	for s := range o.steps {
		out = append(out, s)
	}
	return out
}

func TestAnInFlightRequestFinishesBeforeTheCachesStop(t *testing.T) {
	o := &order{steps: make(chan string, 16)}
	entered := make(chan struct{})
	release := make(chan struct{})
	var cachesStopped atomic.Bool
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		if cachesStopped.Load() {
			http.Error(w, "caches stopped under a request", http.StatusInternalServerError)
			return
		}
		o.add("request answered")
		_, _ = io.WriteString(w, "done")
	})
	l, err := Listen(nil, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	lc := Lifecycle{
		Logger:          logr.Discard(),
		Servers:         []Server{{Serves: "test", HTTP: &http.Server{Handler: h}, Listener: l}},
		ShutdownTimeout: 30 * time.Second,
		Caches: func(ctx context.Context) error {
			<-ctx.Done()
			cachesStopped.Store(true)
			o.add("caches stopped")
			return nil
		},
		Stopping: func() { o.add("stopping") },
		Drained:  func(context.Context) { o.add("drained") },
	}
	done := make(chan error, 1)
	go func() { done <- lc.Run(ctx) }()

	answer := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + l.Addr().String() + "/")
		if err != nil {
			answer <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		answer <- resp.Status + " " + string(b)
	}()
	<-entered
	cancel()
	// Stopping runs before the request may finish: readiness turns false
	// while requests are still in flight.
	if got := <-o.steps; got != "stopping" {
		t.Fatalf("first step = %q, want stopping", got)
	}
	close(release)
	if got := <-answer; got != "200 OK done" {
		t.Fatalf("in-flight request got %q, want 200 OK done", got)
	}
	if err := <-done; err != nil {
		t.Fatalf("Run after cancellation = %v, want nil", err)
	}
	got := strings.Join(o.list(), ", ")
	if want := "request answered, drained, caches stopped"; got != want {
		t.Fatalf("shutdown order = %s, want %s", got, want)
	}
	if _, err := net.Dial("tcp", l.Addr().String()); err == nil {
		t.Fatal("the listener still accepts connections after Run returned")
	}
}

func TestACacheFailureStopsTheServersAndIsTheError(t *testing.T) {
	l, err := Listen(nil, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("informer failed")
	lc := Lifecycle{
		Logger:          logr.Discard(),
		Servers:         []Server{{Serves: "test", HTTP: &http.Server{Handler: http.NotFoundHandler()}, Listener: l}},
		ShutdownTimeout: time.Second,
		Caches:          func(context.Context) error { return boom },
	}
	if err := lc.Run(t.Context()); !errors.Is(err, boom) {
		t.Fatalf("Run = %v, want the caches' error", err)
	}
	if _, err := net.Dial("tcp", l.Addr().String()); err == nil {
		t.Fatal("the listener still accepts connections after Run returned")
	}
}

func TestAServerThatCannotServeIsTheError(t *testing.T) {
	l, err := Listen(nil, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_ = l.Close() // Serve fails at once on a closed listener
	lc := Lifecycle{
		Logger:          logr.Discard(),
		Servers:         []Server{{Serves: "metrics", HTTP: &http.Server{Handler: http.NotFoundHandler()}, Listener: l}},
		ShutdownTimeout: time.Second,
	}
	err = lc.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "serve metrics") {
		t.Fatalf("Run = %v, want an error naming the metrics server", err)
	}
}

func TestListenUsesTheGivenListener(t *testing.T) {
	given, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer given.Close()
	got, err := Listen(given, "256.0.0.1:bad")
	if err != nil || got != given {
		t.Fatalf("Listen(given) = %v, %v; want the given listener", got, err)
	}
	if _, err := Listen(nil, "256.0.0.1:bad"); err == nil || !strings.Contains(err.Error(), "listen on 256.0.0.1:bad") {
		t.Fatalf("Listen(bad address) = %v, want an error naming the address", err)
	}
}
