package sharedstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/kubechat/whatsapp-operator/internal/dialguard"
	"github.com/kubechat/whatsapp-operator/internal/redistest"
	"github.com/kubechat/whatsapp-operator/internal/testwait"
)

// TestClaimLifecycle: a key is claimed once; while claimed another request
// finds it held; released, it can be claimed again; done, it is delivered
// for everyone.
func TestClaimLifecycle(t *testing.T) {
	t.Parallel()
	srv := redistest.Shared(t)
	prefix := redistest.Prefix(t)
	a, m := openStore(t, srv, prefix, "support", "acme")
	b, _ := openStore(t, srv, prefix, "support", "acme") // another replica
	ctx := context.Background()
	keys := []string{"m|1|wamid.A", "m|1|wamid.B"}

	first, err := a.Claim(ctx, keys)
	must(t, err)
	for _, k := range keys {
		if v := first.Verdict(k); v != Claimed {
			t.Fatalf("first claim of %s: verdict %d, want Claimed", k, v)
		}
	}
	second, err := b.Claim(ctx, keys)
	must(t, err)
	for _, k := range keys {
		if v := second.Verdict(k); v != Held {
			t.Fatalf("a live claim of %s seen by another replica: verdict %d, want Held", k, v)
		}
	}
	// The first delivery fails for B, succeeds for A.
	must(t, a.Done(ctx, first, keys[:1]))
	must(t, a.Release(ctx, first, keys[1:]))
	// Releasing what a concurrent request holds must not free it: second
	// holds nothing, so its release is a no-op.
	must(t, b.Release(ctx, second, keys))

	retry, err := b.Claim(ctx, keys)
	must(t, err)
	if v := retry.Verdict(keys[0]); v != Delivered {
		t.Errorf("delivered key on retry: verdict %d, want Delivered", v)
	}
	if v := retry.Verdict(keys[1]); v != Claimed {
		t.Errorf("released key on retry: verdict %d, want Claimed", v)
	}
	if got := testutil.ToFloat64(m.claims.WithLabelValues("claimed")); got != 2 {
		t.Errorf("claims_total{result=claimed} on replica a = %v, want 2", got)
	}
}

// TestReleaseKeepsAnotherClaim: a claim whose lease ran out and was taken
// by another request is not released by the first one.
func TestReleaseKeepsAnotherClaim(t *testing.T) {
	t.Parallel()
	srv := redistest.Shared(t)
	prefix := redistest.Prefix(t)
	short := func(c *Config) { c.ClaimLease = 50 * time.Millisecond }
	a, _ := openStore(t, srv, prefix, "ns", "p", short)
	b, _ := openStore(t, srv, prefix, "ns", "p")
	ctx := context.Background()
	keys := []string{"k"}
	slow, err := a.Claim(ctx, keys)
	must(t, err)
	var taken *Claim
	testwait.Until(t, 5*time.Second, "the lease ends", func() bool {
		c, err := b.Claim(ctx, keys)
		if err == nil && c.Verdict("k") == Claimed {
			taken = c
			return true
		}
		return false
	})
	must(t, a.Release(ctx, slow, keys))
	again, err := a.Claim(ctx, keys)
	must(t, err)
	if v := again.Verdict("k"); v != Held {
		t.Fatalf("after a stale release the key reads %d, want Held by the second claim", v)
	}
	must(t, b.Done(ctx, taken, keys))
}

// TestConcurrentClaimsOneWinner: 20 replicas claiming the same keys at once:
// each key is claimed by exactly one.
func TestConcurrentClaimsOneWinner(t *testing.T) {
	t.Parallel()
	srv := redistest.Shared(t)
	prefix := redistest.Prefix(t)
	keys := []string{"a", "b", "c", "d", "e"}
	wins := map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 20 {
		s, _ := openStore(t, srv, prefix, "ns", "p")
		wg.Go(func() {
			c, err := s.Claim(context.Background(), keys)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, k := range keys {
				if c.Verdict(k) == Claimed {
					wins[k]++
				}
			}
		})
	}
	wg.Wait()
	for _, k := range keys {
		if wins[k] != 1 {
			t.Errorf("key %s claimed %d times, want exactly 1", k, wins[k])
		}
	}
}

// TestProvidersDoNotShareKeys: two providers (two teams) on one Redis, even
// with prefixes chosen to collide, never see each other's claims.
func TestProvidersDoNotShareKeys(t *testing.T) {
	t.Parallel()
	srv := redistest.Shared(t)
	base := redistest.Prefix(t)
	cases := []struct {
		name           string
		prefixA, nsA   string
		prefixB, nsB   string
		providerA, prB string
	}{
		{"same prefix, other namespace", base, "support", base, "sales", "acme", "acme"},
		{"prefix that ends where a namespace starts", base, "team-support", base + "team-:", "support", "acme", "acme"},
		{"prefix that spells the other provider", base, "support", base + "support/acme:", "x", "acme", "y"},
	}
	for _, tc := range cases {
		a, _ := openStore(t, srv, tc.prefixA, tc.nsA, tc.providerA)
		b, _ := openStore(t, srv, tc.prefixB, tc.nsB, tc.prB)
		ctx := context.Background()
		key := "m|1|wamid." + tc.name
		ca, err := a.Claim(ctx, []string{key})
		must(t, err)
		must(t, a.Done(ctx, ca, []string{key}))
		cb, err := b.Claim(ctx, []string{key})
		must(t, err)
		if v := cb.Verdict(key); v != Claimed {
			t.Errorf("%s: provider B sees provider A's delivered key (verdict %d)", tc.name, v)
		}
		if strings.HasPrefix(b.keys.delivery(key), a.keys.base) && a.keys.delivery(key) == b.keys.delivery(key) {
			t.Errorf("%s: both providers use the key %s", tc.name, a.keys.delivery(key))
		}
	}
}

// TestKeysHideIdentities: the stored key holds neither the message id nor
// the phone number, and names the provider.
func TestKeysHideIdentities(t *testing.T) {
	t.Parallel()
	k := newKeyLayout("whatsapp:", "support", "acme").delivery("s|wamid.HBgLMTY1MDM4Nzk0MzkV|read|16505551234")
	if !strings.HasPrefix(k, "whatsapp:support/acme:d:") || len(k) != len("whatsapp:support/acme:d:")+32 {
		t.Errorf("key %q: want whatsapp:support/acme:d: and 32 hex digits", k)
	}
	if strings.Contains(k, "16505551234") || strings.Contains(k, "wamid") {
		t.Errorf("key %q holds a phone number or message id", k)
	}
}

// TestDoneExpiresAfterTTL: a delivered mark lasts DedupeTTL, a claim
// ClaimLease: the store holds nothing forever.
func TestDoneExpiresAfterTTL(t *testing.T) {
	t.Parallel()
	srv := redistest.Shared(t)
	prefix := redistest.Prefix(t)
	s, _ := openStore(t, srv, prefix, "ns", "p", func(c *Config) { c.DedupeTTL = 3 * time.Hour; c.ClaimLease = 20 * time.Second })
	ctx := context.Background()
	c, err := s.Claim(ctx, []string{"x", "y"})
	must(t, err)
	must(t, s.Done(ctx, c, []string{"x"}))
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	ttlX, err := rdb.PTTL(ctx, s.keys.delivery("x")).Result()
	must(t, err)
	ttlY, err := rdb.PTTL(ctx, s.keys.delivery("y")).Result()
	must(t, err)
	if ttlX <= 2*time.Hour || ttlX > 3*time.Hour {
		t.Errorf("done mark TTL %v, want about 3h", ttlX)
	}
	if ttlY <= 10*time.Second || ttlY > 20*time.Second {
		t.Errorf("claim TTL %v, want about 20s", ttlY)
	}
}

// TestUnreachableFailsFast: with the store gone, the first call fails with
// the connection's error and the following ones at once with
// ErrUnavailable until RetryAfter passed; once the store is back, calls
// succeed and Health is up again.
func TestUnreachableFailsFast(t *testing.T) {
	t.Parallel()
	srv, err := redistest.Start()
	must(t, err)
	defer srv.Stop()
	s, m := openStore(t, srv, "p:", "ns", "p", func(c *Config) { c.RetryAfter = 200 * time.Millisecond })
	ctx := context.Background()
	_, err = s.Claim(ctx, []string{"a"})
	must(t, err)
	srv.Kill()
	if _, err := s.Claim(ctx, []string{"b"}); err == nil || errors.Is(err, ErrUnavailable) {
		t.Fatalf("first claim with the store gone: %v, want the connection's error", err)
	}
	if _, err := s.Claim(ctx, []string{"b"}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("second claim right after: %v, want ErrUnavailable without asking", err)
	}
	if !s.Health().Down() || testutil.ToFloat64(m.up) != 0 || testutil.ToFloat64(m.errors.WithLabelValues("claim")) != 1 {
		t.Errorf("down=%v up=%v errors=%v, want down, 0, 1 error", s.Health().Down(), testutil.ToFloat64(m.up), testutil.ToFloat64(m.errors.WithLabelValues("claim")))
	}
	must(t, srv.Restart())
	testwait.Until(t, 10*time.Second, "the store answers again", func() bool {
		_, err := s.Claim(ctx, []string{"c"})
		return err == nil
	})
	if s.Health().Down() || testutil.ToFloat64(m.up) != 1 {
		t.Error("the store answers but Health still reads down")
	}
}

// TestPasswordFileIsReadAtEachConnection: the password comes from a file
// (a Secret's key mounted by the kubelet); a wrong one is refused, and a
// rotated file is used by the next connection without a restart.
func TestPasswordFileIsReadAtEachConnection(t *testing.T) {
	t.Parallel()
	srv, err := redistest.Start("--requirepass", "first-secret")
	must(t, err)
	defer srv.Stop()
	file := filepath.Join(t.TempDir(), "password")
	must(t, os.WriteFile(file, []byte("not-the-password-7f3a\n"), 0o600))
	s, _ := openStore(t, srv, "p:", "ns", "p", func(c *Config) { c.PasswordFile = file; c.RetryAfter = time.Millisecond })
	ctx := context.Background()
	err = s.Ping(ctx)
	if err == nil {
		t.Fatal("a wrong password was accepted")
	}
	if strings.Contains(s.Health().LastError(), "7f3a") || strings.Contains(err.Error(), "7f3a") {
		t.Errorf("the error shows the password: %v", err)
	}
	must(t, os.WriteFile(file, []byte("first-secret\n"), 0o600)) // trailing newline of kubectl --from-file
	must(t, s.Ping(ctx))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestDialerRefusesLoopbackAndMetadata: the store's address is the
// namespace's to choose; by default it never reaches the pod's own ports
// or a cloud metadata service, and says why.
func TestDialerRefusesLoopbackAndMetadata(t *testing.T) {
	t.Parallel()
	srv := redistest.Shared(t)
	for _, addr := range []string{srv.Addr(), "169.254.169.254:80", "[::1]:6379"} {
		s, err := Open(Config{Address: addr, Namespace: "ns", Provider: "p"}, logr.Discard(), nil)
		must(t, err)
		err = s.Ping(context.Background())
		if !errors.Is(err, dialguard.ErrRefused) {
			t.Errorf("%s: %v, want a refusal by the dial guard", addr, err)
		}
		_ = s.Close()
	}
}
