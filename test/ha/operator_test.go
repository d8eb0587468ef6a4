package ha

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/rest"

	"github.com/kubechat/whatsapp-operator/internal/testproc"
	"github.com/kubechat/whatsapp-operator/internal/kubeconfigfile"
)

// buildOperator builds the whatsapp-operator binary once per test run.
func buildOperator(t *testing.T) string {
	t.Helper()
	bin, err := testproc.BuildOperator(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// writeKubeconfig writes cfg (the admin's) as a kubeconfig file, as a user
// outside the cluster would pass it with --kubeconfig.
func writeKubeconfig(t *testing.T, cfg *rest.Config) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := kubeconfigfile.Admin(cfg, path, ""); err != nil {
		t.Fatal(err)
	}
	return path
}

// operator is one operator process; a failed test prints its logs.
type operator struct {
	*testproc.Process
}

// startOperator runs the binary with leader election on short timings
// (a killed leader's Lease runs out after 3 s).
func startOperator(t *testing.T, name, bin, kubeconfig, simURL, ns string) *operator {
	t.Helper()
	return &operator{testproc.Start(t, "operator "+name, bin,
		"--kubeconfig", kubeconfig,
		"--leader-elect", "--leader-election-namespace", ns,
		"--leader-elect-lease-duration", "3s", "--leader-elect-renew-deadline", "2s", "--leader-elect-retry-period", "500ms",
		"--graph-api-url", simURL, "--graph-api-version", "v25.0",
		"--watch-namespaces", ns,
		"--metrics-bind-address", "0", "--health-probe-bind-address", "127.0.0.1:0",
	)}
}

// leading reports whether the process acquired the Lease.
func (o *operator) leading() bool {
	return strings.Contains(strings.ToLower(o.Logs()), "successfully acquired lease")
}

// every runs f every period until ctx ends (the test plays a component:
// the kubelet, Meta's status webhooks).
func every(ctx context.Context, period time.Duration, f func()) {
	go func() {
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				f()
			}
		}
	}()
}
