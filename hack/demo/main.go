// Command demo runs whatsapp-operator end to end on this machine, with no
// Meta account, no container engine and no network beyond loopback: a real
// kube-apiserver and etcd (envtest), the Graph API simulator as Meta, the
// operator's controllers, the webhook server and the relay of the
// MetaProvider and an echo chatbot that holds no token. It applies a
// team's YAML, shows the objects become Ready, a template go from PENDING
// to APPROVED through Meta's webhook, and an inbound WhatsApp message reach
// the chatbot and its reply go out through the relay, then exits 0 (or non-zero,
// naming the step that failed). See README.md beside this file.
//
//	go run ./hack/demo [--keep-running]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
)

// namespace holds the demo's objects.
const namespace = "demo"

// demoTimeout bounds the demo itself (not --keep-running's wait).
const demoTimeout = 2 * time.Minute

func main() {
	keep := flag.Bool("keep-running", false, "after the demo, keep everything running until Ctrl-C (to explore with kubectl)")
	flag.Parse()
	os.Exit(run(os.Stdout, *keep))
}

// run runs the demo and returns the process exit code.
func run(out io.Writer, keepRunning bool) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	dir, err := os.MkdirTemp("", "whatsapp-demo-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 1
	}
	logPath := filepath.Join(dir, "demo.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 1
	}
	// Every component logs to the file; the terminal shows the story.
	logger := logr.FromSlogHandler(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.Level(-1)}))
	ctrl.SetLogger(logger)
	klog.SetLogger(logger)

	d := &demo{out: out, dir: dir, log: logger, started: time.Now()}
	stepsCtx, cancel := context.WithTimeout(ctx, demoTimeout)
	err = d.run(stepsCtx)
	cancel()
	if err == nil && keepRunning {
		fmt.Fprintf(out, "\nStill running; press Ctrl-C to stop.\n    export KUBECONFIG=%s\n    %s get whatsapp -n %s\n", d.kubeconfig, kubectlCommand(), namespace)
		<-ctx.Done()
		fmt.Fprintln(out, "\nStopping.")
	}
	if stopErr := d.stop(); err == nil && stopErr != nil {
		err = fmt.Errorf("stopping: %w", stopErr)
	}
	_ = logFile.Close()
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("interrupted: %w", err)
		}
		fmt.Fprintf(os.Stderr, "\nDEMO FAILED: %v\n    logs of the operator and the webhook server: %s\n", err, logPath)
		return 1
	}
	_ = os.RemoveAll(dir)
	return 0
}
