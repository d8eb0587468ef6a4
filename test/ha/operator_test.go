package ha

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/testlog"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// buildOperator builds the whatsapp-operator binary once per test run.
func buildOperator(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "whatsapp-operator")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the operator: %v\n%s", err, out)
	}
	return bin
}

// writeKubeconfig writes cfg as a kubeconfig file, as a user outside the
// cluster would pass it with --kubeconfig.
func writeKubeconfig(t *testing.T, cfg *rest.Config) string {
	t.Helper()
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken}
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "admin"}
	kc.CurrentContext = "envtest"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// operator is one operator process.
type operator struct {
	name   string
	cmd    *exec.Cmd
	logs   *testlog.Buffer
	exited chan struct{}
}

// startOperator runs the binary with leader election on short timings
// (a killed leader's Lease runs out after 3 s).
func startOperator(t *testing.T, name, bin, kubeconfig, simURL, ns string) *operator {
	t.Helper()
	o := &operator{name: name, logs: &testlog.Buffer{}, exited: make(chan struct{})}
	o.cmd = exec.Command(bin,
		"--kubeconfig", kubeconfig,
		"--leader-elect", "--leader-election-namespace", ns,
		"--leader-elect-lease-duration", "3s", "--leader-elect-renew-deadline", "2s", "--leader-elect-retry-period", "500ms",
		"--graph-api-url", simURL, "--graph-api-version", "v25.0",
		"--watch-namespaces", ns,
		"--metrics-bind-address", "0", "--health-probe-bind-address", "127.0.0.1:0",
	)
	o.cmd.Stdout, o.cmd.Stderr = o.logs, o.logs
	o.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := o.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = o.cmd.Wait(); close(o.exited) }()
	t.Cleanup(o.kill)
	return o
}

// leading reports whether the process acquired the Lease.
func (o *operator) leading() bool {
	return strings.Contains(strings.ToLower(o.logs.String()), "successfully acquired lease")
}

// alive reports whether the process still runs.
func (o *operator) alive() bool {
	select {
	case <-o.exited:
		return false
	default:
		return true
	}
}

// kill ends the process with SIGKILL, as a node loss or an OOM kill
// would, and waits for it.
func (o *operator) kill() {
	if o.alive() {
		_ = o.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-o.exited
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

// dumpLogs prints the processes' logs when the test failed.
func dumpLogs(t *testing.T, ops []*operator) {
	if !t.Failed() {
		return
	}
	for _, o := range ops {
		logs := o.logs.String()
		if len(logs) > 20000 {
			logs = logs[len(logs)-20000:]
		}
		fmt.Fprintf(os.Stderr, "---- operator %s ----\n%s\n", o.name, logs)
	}
}
