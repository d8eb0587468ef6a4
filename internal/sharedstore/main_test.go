package sharedstore

import (
	"os"
	"testing"

	"github.com/go-logr/logr"

	"github.com/kubechat/whatsapp-operator/internal/redistest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	redistest.StopShared()
	os.Exit(code)
}

// openStore opens a store for provider ns/name on srv with a prefix of
// the test's own.
func openStore(t testing.TB, srv *redistest.Server, prefix, ns, name string, mutate ...func(*Config)) (*Store, *Metrics) {
	t.Helper()
	cfg := Config{Address: srv.Addr(), KeyPrefix: prefix, Namespace: ns, Provider: name, AllowAddresses: redistest.Loopback}
	for _, f := range mutate {
		f(&cfg)
	}
	m := NewMetrics(nil)
	s, err := Open(cfg, logr.Discard(), m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, m
}
