package sharedstore

import (
	"flag"
	"testing"
	"time"

	"github.com/go-logr/logr"

	"github.com/kubechat/whatsapp-operator/internal/redistest"
)

// TestLoopbackOnlyWithTheFlag: a workload's store on this host's loopback
// (a redis-server beside a process run outside a cluster) is refused as
// the pod itself would be, unless --redis-allow-loopback says so; the flag
// and --redis-op-timeout reach the Config the workload opens.
func TestLoopbackOnlyWithTheFlag(t *testing.T) {
	t.Parallel()
	srv := redistest.Shared(t)
	for _, tc := range []struct {
		args    []string
		reaches bool
		timeout time.Duration
	}{
		{args: nil, reaches: false, timeout: DefaultOpTimeout},
		{args: []string{"--redis-allow-loopback", "--redis-op-timeout", "3s"}, reaches: true, timeout: 3 * time.Second},
		{args: []string{"--redis-allow-loopback", "--redis-allow-loopback=false"}, reaches: false, timeout: DefaultOpTimeout},
	} {
		fs := flag.NewFlagSet("workload", flag.ContinueOnError)
		var cfg Config
		BindFlags(fs, &cfg)
		if err := fs.Parse(append([]string{"--redis-address", srv.Addr(), "--redis-key-prefix", redistest.Prefix(t)}, tc.args...)); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if cfg.OpTimeout != tc.timeout {
			t.Errorf("%v: op timeout %s, want %s", tc.args, cfg.OpTimeout, tc.timeout)
		}
		cfg.Namespace, cfg.Provider = "team", "acme"
		s, err := Open(cfg, logr.Discard(), NewMetrics(nil))
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		err = s.Ping(redistest.WithContext(t))
		_ = s.Close()
		if reached := err == nil; reached != tc.reaches {
			t.Errorf("%v: reached the loopback store: %v (%v), want %v", tc.args, reached, err, tc.reaches)
		}
	}
}
