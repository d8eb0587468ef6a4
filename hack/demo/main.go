// Command demo runs whatsapp-operator end to end on this machine, with no
// Meta account, no container engine and no network beyond loopback: a real
// kube-apiserver and etcd (envtest), the Graph API simulator as Meta, the
// operator, and the webhook server and relay of a MetaProvider as the
// processes their pods would run, and an echo chatbot that holds no token.
// It applies a team's YAML, shows the objects become Ready, templates go
// from PENDING to APPROVED through Meta's webhook, and an inbound WhatsApp
// message reach the chatbot and its reply go out through the relay. Then it
// keeps everything running and serves a chat page on loopback where you
// talk to the bot as a WhatsApp user and act as Meta, until Ctrl-C; with
// --oneshot it exits 0 after the scenario (or non-zero, naming the step
// that failed). See README.md beside this file.
//
//	go run ./hack/demo [--oneshot] [--page-address 127.0.0.1:8088]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
)

// namespace holds the demo's objects.
const namespace = "demo"

// demoTimeout bounds the scripted scenario (not the time the page runs).
const demoTimeout = 3 * time.Minute

// defaultPageAddress is where the chat page listens; when it is taken, a
// free loopback port is used instead.
const defaultPageAddress = "127.0.0.1:8088"

// options are the demo's flags.
type options struct {
	oneshot                        bool
	pageAddress                    string
	operatorBinary, graphsimBinary string
}

func main() {
	var o options
	flag.BoolVar(&o.oneshot, "oneshot", false, "run the scripted scenario and exit (0 when every step held), for tests and CI")
	flag.Bool("keep-running", true, "deprecated: staying up after the scenario is the default now (see --oneshot)")
	flag.StringVar(&o.pageAddress, "page-address", defaultPageAddress, "loopback address of the chat page (a free port when the default is taken)")
	flag.StringVar(&o.operatorBinary, "operator-binary", "", "a built whatsapp-operator to run (default: go build it)")
	flag.StringVar(&o.graphsimBinary, "graphsim-binary", "", "a built graphsim to run (default: go build it)")
	flag.Parse()
	os.Exit(run(os.Stdout, os.Stderr, o))
}

// run runs the demo and returns the process exit code.
func run(out, errOut io.Writer, o options) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Ctrl-C in `make demo | tee log` ends tee too: a write to the closed
	// pipe must fail, not kill the demo before it stopped what it started.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	// SIGHUP (the terminal closed) stops everything as Ctrl-C does.
	hangup, stopHangup := signal.NotifyContext(ctx, syscall.SIGHUP)
	defer stopHangup()
	ctx = hangup
	dir, err := os.MkdirTemp("", "whatsapp-demo-")
	if err != nil {
		fmt.Fprintln(errOut, "demo:", err)
		return 1
	}
	logPath := dir + "/demo.log"
	logFile, err := os.Create(logPath)
	if err != nil {
		fmt.Fprintln(errOut, "demo:", err)
		return 1
	}
	// The demo's own components log to the file; the terminal shows the story.
	logger := logr.FromSlogHandler(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.Level(-1)}))
	ctrl.SetLogger(logger)
	klog.SetLogger(logger)

	d := &demo{out: out, dir: dir, opts: o, started: time.Now()}
	scenario, cancel := context.WithTimeout(ctx, demoTimeout)
	err = d.runScenario(scenario)
	cancel()
	if err == nil && !o.oneshot {
		err = d.serveChatPage(ctx, logger)
	}
	if stopErr := d.stop(); err == nil && stopErr != nil {
		err = fmt.Errorf("stopping: %w", stopErr)
	}
	_ = logFile.Close()
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("interrupted: %w", err)
		}
		fmt.Fprintf(errOut, "\nDEMO FAILED: %v\n    logs of every process: %s\n", err, dir)
		return 1
	}
	_ = os.RemoveAll(dir)
	fmt.Fprintln(out, "Stopped every process the demo started and removed", dir)
	return 0
}

// pageListener listens on the chat page's address, or on a free loopback
// port when the default one is taken.
func pageListener(address string) (net.Listener, error) {
	l, err := listenLoopback(address)
	if err != nil && address == defaultPageAddress {
		return listenLoopback("127.0.0.1:0")
	}
	return l, err
}
