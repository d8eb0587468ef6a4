package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// argsEnv carries the command line to the re-executed test binary, which
// then runs main as the real binary would.
const argsEnv = "WHATSAPP_OPERATOR_TEST_MAIN_ARGS"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(argsEnv); ok {
		os.Args = append([]string{"whatsapp-operator"}, strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A typo in a mode, or an argument no mode takes, is refused with the usage
// before anything starts: the binary never connects to the cluster its
// kubeconfig names (here a listener that counts connections).
func TestUnknownCommandsAndStrayArgumentsAreRefused(t *testing.T) {
	t.Parallel()
	cluster, connections := countingListener(t)
	kubeconfig := writeKubeconfig(t, cluster)
	cases := map[string]struct {
		reason string
		args   string
		want   string // in stderr
	}{
		"typo": {
			reason: "`relya --help` must not start the operator",
			args:   "relya --help", want: `unknown command "relya"`,
		},
		"operator with a stray argument": {
			reason: "the flag package stops at the first non-flag and would ignore the rest",
			args:   "--leader-elect relay", want: `unexpected argument "relay"`,
		},
		"webhook server with a stray argument": {
			reason: "a misplaced value is not a flag",
			args:   "webhook-server --provider-namespace support --provider-name acme 8080", want: `whatsapp-operator webhook-server: unexpected argument "8080"`,
		},
		"relay with a stray argument": {
			reason: "the same for the relay",
			args:   "relay --provider-namespace support --provider-name acme extra", want: `whatsapp-operator relay: unexpected argument "extra"`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runMain(t, kubeconfig, tc.args)
			if code != exitUsage {
				t.Errorf("%s: exit code %d, want %d; stderr:\n%s", tc.reason, code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "whatsapp-operator webhook-server [flags]") {
				t.Errorf("%s: stderr lacks %q and the usage:\n%s", tc.reason, tc.want, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout: %q", stdout)
			}
		})
	}
	t.Run("help", func(t *testing.T) {
		t.Parallel()
		code, stdout, _ := runMain(t, kubeconfig, "help")
		if code != exitOK || !strings.Contains(stdout, "whatsapp-operator relay [flags]") {
			t.Errorf("help: exit code %d, stdout:\n%s", code, stdout)
		}
	})
	t.Cleanup(func() {
		if n := connections.Load(); n != 0 {
			t.Errorf("%d connection(s) reached the cluster", n)
		}
	})
}

// runMain runs the binary's main with args and returns its exit code and
// output. A run that does not end within the deadline is killed and fails
// the test (it would be the operator, started by mistake).
func runMain(t *testing.T, kubeconfig, args string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = []string{argsEnv + "=" + args, "KUBECONFIG=" + kubeconfig, "HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("`whatsapp-operator %s` was still running after 20s; stderr:\n%s", args, stderr.String())
	}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	case err != nil:
		t.Fatal(err)
	}
	return 0, stdout.String(), stderr.String()
}

// countingListener accepts connections on loopback, counts and closes them.
func countingListener(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			_ = c.Close()
		}
	}()
	t.Cleanup(func() { _ = l.Close() })
	return "https://" + l.Addr().String(), &n
}

// writeKubeconfig writes a kubeconfig whose cluster is server.
func writeKubeconfig(t *testing.T, server string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: %q, insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: not-a-real-token}}]
contexts: [{name: x, context: {cluster: c, user: u, namespace: default}}]
current-context: x
`, server)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
