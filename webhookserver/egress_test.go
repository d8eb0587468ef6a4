package webhookserver

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// TestForwardLoopIsRefused (issue 9 item 2): a channel whose chatbot URL is
// the webhook server's own public address. The forwarded request carries
// the marker, the server refuses it, and Meta's POST costs exactly one
// extra request instead of an unbounded loop.
func TestForwardLoopIsRefused(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.table.Store(BuildRouteTable(2, testProviderObject(), []whatsappv1alpha1.WhatsAppChannel{
		newChannel("self", "+12025550101", "101", urlBot(ts.url+PathWebhook)),
	}))
	before := runtime.NumGoroutine()
	if code := postSigned(t, ts.url, envelopeOf(textMessage("101", "1", "wamid.LOOP", "x"))); code != http.StatusServiceUnavailable {
		t.Fatalf("the delivery failed, so Meta must retry: got %d, want 503", code)
	}
	posts := func(outcome string) float64 {
		return counter(t, ts.registry, "whatsapp_webhook_requests_total", map[string]string{"method": "POST", "outcome": outcome})
	}
	if n := posts("loop"); n != 1 {
		t.Errorf("the forwarded copy is refused once as a loop, got %v", n)
	}
	if n := posts("retry") + posts("ok"); n != 1 {
		t.Errorf("only Meta's POST is handled, the copy never forwarded again: %v handled", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+10 {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines stay up after the loop was refused: %d, before %d", runtime.NumGoroutine(), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestChatbotDialGuard (issue 9 item 2): with the production dialer, a
// chatbot URL on loopback (this pod) or at the cloud metadata address is
// never connected to, whatever range the provider opened; Meta gets 503 and
// the refusal is counted.
func TestChatbotDialGuard(t *testing.T) {
	cases := map[string]struct {
		reason string
		url    func(bot *chatbot) string
		allow  []netip.Prefix
	}{
		"Loopback": {
			reason: "a loopback chatbot is this pod",
			url:    func(bot *chatbot) string { return bot.srv.URL },
		},
		"LoopbackDespiteAllowAll": {
			reason: "0.0.0.0/0 opens egress, not loopback",
			url:    func(bot *chatbot) string { return bot.srv.URL },
			allow:  []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")},
		},
		"Metadata": {
			reason: "the cloud metadata service hands out node credentials",
			url:    func(*chatbot) string { return "http://169.254.169.254/latest/meta-data/" },
			allow:  []netip.Prefix{netip.MustParsePrefix("169.254.0.0/16")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			bot := newChatbot(t)
			ts := newTestServer(t, []whatsappv1alpha1.WhatsAppChannel{newChannel("us", "+12025550101", "101", urlBot(tc.url(bot)))},
				func(o *Options) { o.DialContext, o.ChatbotAllowCIDRs = nil, tc.allow })
			if code := postSigned(t, ts.url, envelopeOf(textMessage("101", "1", "wamid.G"+name, "x"))); code != http.StatusServiceUnavailable {
				t.Errorf("%s: got %d, want 503", tc.reason, code)
			}
			if n := bot.started.Load(); n != 0 {
				t.Errorf("%s: the chatbot was reached %d times", tc.reason, n)
			}
			if got := counter(t, ts.registry, "whatsapp_webhook_forward_failures_total", map[string]string{"reason": "refused"}); got != 1 {
				t.Errorf("%s: refusals by the dial guard are counted, got %v", tc.reason, got)
			}
		})
	}
}

// TestChatbotAllowLoopback: a webhook server run outside a cluster beside
// a local chatbot (make demo) reaches it on loopback only when told to,
// and even then never the cloud metadata address.
func TestChatbotAllowLoopback(t *testing.T) {
	bot := newChatbot(t)
	ts := newTestServer(t, []whatsappv1alpha1.WhatsAppChannel{
		newChannel("local", "+12025550101", "101", urlBot(bot.srv.URL)),
		newChannel("metadata", "+12025550102", "102", urlBot("http://169.254.169.254/latest/meta-data/")),
	}, func(o *Options) { o.DialContext, o.ChatbotAllowLoopback = nil, true })
	if code := postSigned(t, ts.url, envelopeOf(textMessage("101", "1", "wamid.LOCAL", "x"))); code != http.StatusOK {
		t.Errorf("the local chatbot: got %d, want 200", code)
	}
	if n := bot.started.Load(); n != 1 {
		t.Errorf("the local chatbot was reached %d times, want 1", n)
	}
	if code := postSigned(t, ts.url, envelopeOf(textMessage("102", "1", "wamid.META", "x"))); code != http.StatusServiceUnavailable {
		t.Errorf("the metadata address: got %d, want 503", code)
	}
	if got := counter(t, ts.registry, "whatsapp_webhook_forward_failures_total", map[string]string{"reason": "refused"}); got != 1 {
		t.Errorf("the metadata address is refused by the dial guard, refusals %v", got)
	}
}

func TestReopeningRanges(t *testing.T) {
	apiServer := []netip.Prefix{netip.MustParsePrefix("10.96.0.1/32")}
	p := netip.MustParsePrefix
	cases := map[string]struct {
		reason string
		optIn  string
		reopen bool
	}{
		"NodeLocalDNS":      {reason: "a range inside link-local re-opens it", optIn: "169.254.20.10/32", reopen: true},
		"LinkLocalBlock":    {reason: "the whole link-local block holds the metadata address", optIn: "169.254.0.0/16"},
		"Metadata":          {reason: "the metadata address is never re-opened", optIn: "169.254.169.254/32"},
		"MetadataMapped":    {reason: "nor in its IPv4-mapped form", optIn: "::ffff:169.254.169.254/128"},
		"AWSv6Metadata":     {reason: "AWS's IPv6 metadata endpoint neither", optIn: "fd00:ec2::/32"},
		"Everything":        {reason: "0.0.0.0/0 is broader than every refused block: it re-opens nothing", optIn: "0.0.0.0/0"},
		"PrivateRange":      {reason: "10.0.0.0/8 is broader than the API server's address", optIn: "10.0.0.0/8"},
		"APIServerExact":    {reason: "naming the API server's address re-opens it", optIn: "10.96.0.1/32", reopen: true},
		"Loopback":          {reason: "loopback is not a block an opt-in can re-open", optIn: "127.0.0.1/32"},
		"LinkLocal6Service": {reason: "a narrow IPv6 link-local range re-opens it", optIn: "fe80::1234/128", reopen: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			reopen, ignored := reopeningRanges([]netip.Prefix{p(tc.optIn)}, apiServer)
			want := []netip.Prefix{p(tc.optIn).Masked()}
			got := ignored
			if tc.reopen {
				got = reopen
			}
			if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
				t.Errorf("%s: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestForwardsPerChatbotAreCapped (issue 9 item 2): a chatbot that stops
// answering holds at most MaxForwardsPerChatbot deliveries; Meta's further
// POSTs for it get 503 at once instead of piling up.
func TestForwardsPerChatbotAreCapped(t *testing.T) {
	var started atomic.Int32
	release := make(chan struct{})
	stalled := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started.Add(1)
		<-release
	}))
	t.Cleanup(stalled.Close)
	ts := newTestServer(t, []whatsappv1alpha1.WhatsAppChannel{newChannel("us", "+12025550101", "101", urlBot(stalled.URL))},
		func(o *Options) { o.MaxForwardsPerChatbot = 2 })
	var wg sync.WaitGroup
	codes := make(chan int, 5)
	for i := range 5 {
		wg.Go(func() {
			codes <- postSigned(t, ts.url, envelopeOf(textMessage("101", "1", fmt.Sprintf("wamid.CAP%d", i), "x")))
		})
	}
	for range 3 {
		if code := <-codes; code != http.StatusServiceUnavailable {
			t.Errorf("a POST beyond the chatbot's 2 in-flight deliveries gets 503 at once, got %d", code)
		}
	}
	for deadline := time.Now().Add(5 * time.Second); started.Load() < 2 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if n := started.Load(); n != 2 {
		t.Errorf("the stalled chatbot holds %d deliveries, want 2", n)
	}
	if got := counter(t, ts.registry, "whatsapp_webhook_forward_failures_total", map[string]string{"reason": "busy"}); got != 3 {
		t.Errorf("the 3 deliveries refused are counted as busy, got %v", got)
	}
	close(release)
	wg.Wait()
	for range 2 {
		<-codes
	}
}

// FuzzReopeningRanges: whatever ranges a provider lists, none that
// re-opens refused addresses for chatbot dials holds loopback or a cloud
// metadata address, and each lies inside a refused block.
func FuzzReopeningRanges(f *testing.F) {
	for _, s := range []string{"0.0.0.0/0", "::/0", "169.254.20.10/32", "169.254.0.0/16", "169.254.169.254/32", "127.0.0.1/8",
		"::ffff:169.254.169.254/128", "fd00:ec2::/64", "fe80::/10", "10.96.0.1/32", "10.0.0.0/8", "100.100.100.200/30"} {
		f.Add(s)
	}
	deny := []netip.Prefix{netip.MustParsePrefix("10.96.0.1/32")}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return
		}
		reopen, ignored := reopeningRanges([]netip.Prefix{p}, deny)
		if len(reopen)+len(ignored) != 1 {
			t.Fatalf("%s: each range is either re-opening or ignored: %v %v", p, reopen, ignored)
		}
		for _, r := range reopen {
			for _, m := range metadataAddrs {
				if r.Contains(m) || r.Contains(netip.AddrFrom16(m.As16())) {
					t.Fatalf("%s re-opens metadata address %s", r, m)
				}
			}
			if r.Addr().IsLoopback() || r.Addr().Unmap().IsLoopback() {
				t.Fatalf("%s re-opens loopback", r)
			}
			if !insideBlock(r, append(append([]netip.Prefix(nil), refusedBlocks...), deny...)) {
				t.Fatalf("%s re-opens beyond a refused block", r)
			}
		}
	})
}
