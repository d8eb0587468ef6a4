package sharedstore

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/kubechat/whatsapp-operator/internal/redistest"
)

// documentedACL reads the ACL rule docs/security.md tells a team to
// create ("Sharing a Redis with another team"), so that the page and
// this test cannot drift apart.
func documentedACL(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../../docs/security.md")
	must(t, err)
	line := regexp.MustCompile(`(?m)^\s*(ACL SETUSER team-support .*)$`).FindStringSubmatch(string(raw))
	if line == nil {
		t.Fatal("docs/security.md no longer gives the ACL SETUSER line for team-support")
	}
	return strings.TrimSpace(line[1])
}

// TestDocumentedACLUserIsEnoughAndConfined: a team's ACL user made with
// the rule of docs/security.md (its prefix and namespace put in) can do
// everything the webhook server and relay do — claim, mark done, release,
// pace sends, ping — and cannot read or write another team's keys.
func TestDocumentedACLUserIsEnoughAndConfined(t *testing.T) {
	t.Parallel()
	srv := redistest.Shared(t)
	prefix := redistest.Prefix(t)
	user := fmt.Sprintf("team-%x", sha256.Sum256([]byte(prefix)))[:21]
	const password = "acl-pass-5d1e"
	rule := documentedACL(t)
	rule = strings.ReplaceAll(rule, "team-support", user)
	rule = strings.ReplaceAll(rule, ">PASSWORD", ">"+password)
	rule = strings.ReplaceAll(rule, "~whatsapp:", "~"+prefix)
	rule = strings.ReplaceAll(rule, "~rate:whatsapp:", "~rate:"+prefix)

	ctx := context.Background()
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: 2})
	defer admin.Close()
	var args []any
	for _, f := range strings.Fields(rule) {
		args = append(args, f)
	}
	must(t, admin.Do(ctx, args...).Err())
	t.Cleanup(func() { _ = admin.Do(context.Background(), "ACL", "DELUSER", user).Err() })

	team := func(c *Config) {
		c.Username, c.Password = user, password
		c.RetryAfter = time.Millisecond
	}
	s, m := openStore(t, srv, prefix, "support", "acme", team)
	must(t, s.Ping(ctx))
	c, err := s.Claim(ctx, []string{"m|1|wamid.a", "m|1|wamid.b"})
	must(t, err)
	must(t, s.Done(ctx, c, []string{"m|1|wamid.a"}))
	must(t, s.Release(ctx, c, []string{"m|1|wamid.b"}))
	again, err := s.Claim(ctx, []string{"m|1|wamid.a", "m|1|wamid.b"})
	must(t, err)
	if again.Verdict("m|1|wamid.a") != Delivered || again.Verdict("m|1|wamid.b") != Claimed {
		t.Errorf("after done and release: verdicts %d and %d, want delivered and claimed", again.Verdict("m|1|wamid.a"), again.Verdict("m|1|wamid.b"))
	}
	budget := newBudget(t, s, 5*time.Second)
	for range sharedBurst + 1 {
		if _, _, err := budget.Acquire(ctx, "111", 50); err != nil {
			t.Fatalf("pacing a send as the team's user: %v", err)
		}
	}
	if n := testutil.ToFloat64(m.fallbacks.WithLabelValues(PathRelay)); n != 0 {
		t.Errorf("%v sends were paced locally: the documented ACL lacks what the budget needs", n)
	}
	if s.Health().Down() {
		t.Fatalf("the store reads down for the team's user: %s", s.Health().LastError())
	}

	// Another team's keys: refused by the store, whatever our code does.
	other, _ := openStore(t, srv, prefix, "sales", "acme", team)
	if _, err := other.Claim(ctx, []string{"m|1|wamid.a"}); err == nil {
		t.Error("the support team's user claimed a key of the sales namespace")
	}
	direct := redis.NewClient(&redis.Options{Addr: srv.Addr(), Username: user, Password: password, Protocol: 2})
	defer direct.Close()
	foreign := newKeyLayout(prefix, "sales", "acme").delivery("m|1|wamid.a")
	must(t, admin.Set(ctx, foreign, "d", time.Minute).Err())
	for name, err := range map[string]error{
		"GET":  direct.Get(ctx, foreign).Err(),
		"SET":  direct.Set(ctx, foreign, "x", time.Minute).Err(),
		"DEL":  direct.Del(ctx, foreign).Err(),
		"KEYS": direct.Keys(ctx, prefix+"*").Err(),
	} {
		if err == nil || !strings.Contains(err.Error(), "NOPERM") {
			t.Errorf("%s of another team's key as the team's user: %v, want NOPERM", name, err)
		}
	}
}
