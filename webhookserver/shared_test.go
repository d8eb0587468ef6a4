package webhookserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/redistest"
	"github.com/kubechat/whatsapp-operator/internal/sharedstore"
	"github.com/kubechat/whatsapp-operator/internal/testwait"
)

// The load of the shared-store scenarios (issue 10 "Done when"): 500
// batches of 10 messages, 5 for each of two numbers whose chatbots differ.
const (
	sharedBatches   = 500
	sharedPerNumber = 5
	sharedClients   = 16
	// Every failEvery-th batch, chatbot B refuses its part the first time,
	// so Meta retries the batch (at the other replica) with A's part
	// already delivered; every dupEvery-th batch is sent twice at once.
	failEvery = 5
	dupEvery  = 7
)

// countingBot counts the message ids it accepted; it refuses the first
// delivery of a batch when fail says so.
type countingBot struct {
	srv      *httptest.Server
	fail     func(batch int) bool
	mu       sync.Mutex
	accepted map[string]int
	refused  map[int]bool
}

func newCountingBot(tb testing.TB, fail func(batch int) bool) *countingBot {
	b := &countingBot{fail: fail, accepted: map[string]int{}, refused: map[int]bool{}}
	b.srv = httptest.NewServer(http.HandlerFunc(b.serve))
	tb.Cleanup(b.srv.Close)
	return b
}

func (b *countingBot) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var env struct {
		Entry []struct {
			Changes []struct {
				Value struct {
					Messages []struct {
						ID string `json:"id"`
					} `json:"messages"`
				} `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var ids []string
	batch := -1
	for _, e := range env.Entry {
		for _, c := range e.Changes {
			for _, m := range c.Value.Messages {
				ids = append(ids, m.ID)
				_, _ = fmt.Sscanf(m.ID, "wamid.b%d.", &batch)
			}
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if batch >= 0 && b.fail(batch) && !b.refused[batch] {
		b.refused[batch] = true
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	for _, id := range ids {
		b.accepted[id]++
	}
	w.WriteHeader(http.StatusOK)
}

// has reports whether every id was accepted.
func (b *countingBot) has(ids []string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, id := range ids {
		if b.accepted[id] == 0 {
			return false
		}
	}
	return true
}

// replicaHeader names the replica that answered; avoidHeader asks the
// proxy for the other one (Meta's retry reaching another pod).
const (
	replicaHeader = "X-Test-Replica"
	avoidHeader   = "X-Test-Avoid-Replica"
)

// roundRobin is a reverse proxy on loopback that spreads requests over
// replicas in turn, as a Service does.
func roundRobin(tb testing.TB, replicas ...string) string {
	proxies := make([]*httputil.ReverseProxy, len(replicas))
	for i, r := range replicas {
		u, err := url.Parse(r)
		if err != nil {
			tb.Fatal(err)
		}
		p := httputil.NewSingleHostReverseProxy(u)
		p.Transport = &http.Transport{MaxIdleConnsPerHost: 64}
		proxies[i] = p
	}
	var next atomic.Uint64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(next.Add(1) % uint64(len(replicas)))
		if avoid := r.Header.Get(avoidHeader); avoid == fmt.Sprint(i) {
			i = (i + 1) % len(replicas)
		}
		w.Header().Set(replicaHeader, fmt.Sprint(i))
		proxies[i].ServeHTTP(w, r)
	}))
	tb.Cleanup(srv.Close)
	return srv.URL
}

// sharedRig is two webhook servers sharing a store behind a round-robin
// proxy, two counting chatbots, and Meta's side.
type sharedRig struct {
	proxy      string
	botA, botB *countingBot
	replicas   []*testServer
	client     *http.Client
	// early counts 200s answered before every message of the batch had
	// reached its chatbot.
	early atomic.Int64
}

func newSharedRig(tb testing.TB, redisAddr, prefix string, store ...func(*sharedstore.Config)) *sharedRig {
	r := &sharedRig{
		botA: newCountingBot(tb, func(int) bool { return false }),
		botB: newCountingBot(tb, func(batch int) bool { return batch%failEvery == 0 }),
	}
	shared := func(o *Options) {
		o.SharedState = sharedstore.Config{Address: redisAddr, KeyPrefix: prefix, AllowAddresses: redistest.Loopback, RetryAfter: 100 * time.Millisecond}
		for _, f := range store {
			f(&o.SharedState)
		}
	}
	var urls []string
	for range 2 {
		ts := newTestServer(tb, []whatsappv1alpha1.WhatsAppChannel{
			newChannel("a", "+"+benchDisplayA, benchPNIDA, urlBot(r.botA.srv.URL+"/hook")),
			newChannel("b", "+"+benchDisplayB, benchPNIDB, urlBot(r.botB.srv.URL+"/hook")),
		}, shared)
		r.replicas = append(r.replicas, ts)
		urls = append(urls, ts.url)
	}
	r.proxy = roundRobin(tb, urls...)
	tr := &http.Transport{MaxIdleConnsPerHost: 2 * sharedClients}
	tb.Cleanup(tr.CloseIdleConnections)
	r.client = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	return r
}

// batch is the body of batch n and its message ids.
func sharedBatch(n int) ([]byte, []string, []string) {
	var values []string
	var idsA, idsB []string
	for i := range sharedPerNumber {
		a := fmt.Sprintf("wamid.b%d.a%d", n, i)
		b := fmt.Sprintf("wamid.b%d.b%d", n, i)
		idsA, idsB = append(idsA, a), append(idsB, b)
		values = append(values, textMessage(benchPNIDA, benchDisplayA, a, "hi"), textMessage(benchPNIDB, benchDisplayB, b, "hi"))
	}
	return envelopeOf(values...), idsA, idsB
}

// deliver sends batch n as Meta does: again (to the other replica) until
// it gets 200, then checks that every message reached its chatbot.
func (r *sharedRig) deliver(tb testing.TB, n int) {
	body, idsA, idsB := sharedBatch(n)
	sig := signatureHeader([]byte(testAppSecret), body)
	avoid := ""
	for attempt := 1; ; attempt++ {
		if attempt > 200 {
			tb.Errorf("batch %d: still not acknowledged after %d attempts", n, attempt-1)
			return
		}
		req, _ := http.NewRequest(http.MethodPost, r.proxy+PathWebhook, bytes.NewReader(body))
		req.Header.Set(headerSignature, sig)
		req.Header.Set("Content-Type", "application/json")
		if avoid != "" {
			req.Header.Set(avoidHeader, avoid)
		}
		resp, err := r.client.Do(req)
		if err != nil {
			tb.Errorf("batch %d: %v", n, err)
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			if !r.botA.has(idsA) || !r.botB.has(idsB) {
				r.early.Add(1)
			}
			return
		}
		if resp.StatusCode != http.StatusServiceUnavailable {
			tb.Errorf("batch %d: answered %d, want 200 or a retryable 503", n, resp.StatusCode)
			return
		}
		avoid = resp.Header.Get(replicaHeader)
		// Meta backs off between retries; a short one keeps the test lean.
		time.Sleep(time.Duration(attempt) * 5 * time.Millisecond)
	}
}

// run sends every batch with sharedClients senders; every dupEvery-th
// batch is sent by two senders at once. progress is called after each
// batch is acknowledged, with the number acknowledged so far.
func (r *sharedRig) run(tb testing.TB, progress func(done int64)) {
	work := make(chan int)
	var done atomic.Int64
	var wg sync.WaitGroup
	for range sharedClients {
		wg.Go(func() {
			for n := range work {
				if n%dupEvery == 0 {
					var dup sync.WaitGroup
					dup.Go(func() { r.deliver(tb, n) })
					r.deliver(tb, n)
					dup.Wait()
				} else {
					r.deliver(tb, n)
				}
				if progress != nil {
					progress(done.Add(1))
				}
			}
		})
	}
	for n := range sharedBatches {
		work <- n
	}
	close(work)
	wg.Wait()
}

// counts returns, over both chatbots, the ids accepted once, more than
// once, and never, of every batch.
func (r *sharedRig) counts() (once, twice, missing int) {
	for n := range sharedBatches {
		_, idsA, idsB := sharedBatch(n)
		for _, c := range []struct {
			bot *countingBot
			ids []string
		}{{r.botA, idsA}, {r.botB, idsB}} {
			c.bot.mu.Lock()
			for _, id := range c.ids {
				switch k := c.bot.accepted[id]; {
				case k == 0:
					missing++
				case k == 1:
					once++
				default:
					twice++
				}
			}
			c.bot.mu.Unlock()
		}
	}
	return once, twice, missing
}

// TestSharedStoreExactlyOnceAcrossReplicas (issue 10): two webhook
// servers sharing one Redis behind a round-robin proxy; 5,000 signed
// messages; chatbot B refuses its part of every fifth batch once, so Meta
// retries that batch at the other replica with A's part delivered; every
// seventh batch is sent twice at once. Every message id reaches its
// chatbot exactly once, and no 200 is answered before every message of
// the batch was delivered.
func TestSharedStoreExactlyOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	srv := redistest.Shared(t)
	// A round trip slower than the store's timeout (500 ms in production)
	// is handled as an outage: delivered at least once, which
	// TestSharedStoreOutageLosesNothing covers. Under -race on a loaded
	// 2-core machine a pipelined round trip took longer than that (25 of
	// 5,000 delivered twice, counted as fallbacks); here the store is up,
	// so its timeout is set past any scheduling delay and every fallback
	// still fails the test below.
	r := newSharedRig(t, srv.Addr(), redistest.Prefix(t), func(c *sharedstore.Config) { c.OpTimeout = 10 * time.Second })
	r.run(t, nil)
	once, twice, missing := r.counts()
	if missing != 0 || twice != 0 || once != sharedBatches*2*sharedPerNumber {
		t.Errorf("messages delivered once: %d, more than once: %d, never: %d; want all %d exactly once",
			once, twice, missing, sharedBatches*2*sharedPerNumber)
	}
	if n := r.early.Load(); n != 0 {
		t.Errorf("%d batches were acknowledged before all their messages reached the chatbots", n)
	}
	// The retries and duplicates did happen, and were held or found done.
	refused := len(r.botB.refused)
	if refused != sharedBatches/failEvery {
		t.Errorf("chatbot B refused %d batches once, want %d: the retry path was not exercised", refused, sharedBatches/failEvery)
	}
	done, held := 0.0, 0.0
	for _, ts := range r.replicas {
		done += counter(t, ts.registry, "whatsapp_shared_store_claims_total", map[string]string{"result": "done"})
		held += counter(t, ts.registry, "whatsapp_shared_store_claims_total", map[string]string{"result": "held"})
		if f := counter(t, ts.registry, "whatsapp_shared_store_fallbacks_total", map[string]string{"path": sharedstore.PathInbound}); f != 0 {
			t.Errorf("a replica fell back %v times with Redis up", f)
		}
	}
	if done == 0 {
		t.Error("no retry found its items delivered in the store: the retries did not reach it")
	}
	t.Logf("claims found done %v, held by another request %v", done, held)
}

// TestSharedStoreOutageLosesNothing (issue 10): the same load; Redis is
// killed after a third of the batches and started again (empty) after two
// thirds. Every message reaches its chatbot at least once, nothing is
// acknowledged before delivery, the replicas count the fallbacks and show
// the store down, then up again.
func TestSharedStoreOutageLosesNothing(t *testing.T) {
	t.Parallel()
	srv, err := redistest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	r := newSharedRig(t, srv.Addr(), redistest.Prefix(t))
	var killOnce, restartOnce sync.Once
	sawDown := atomic.Bool{}
	r.run(t, func(done int64) {
		switch {
		case done >= sharedBatches/3 && done < 2*sharedBatches/3:
			killOnce.Do(srv.Kill)
			for _, ts := range r.replicas {
				if gaugeValue(t, ts, "whatsapp_shared_store_up") == 0 {
					sawDown.Store(true)
				}
			}
		case done >= 2*sharedBatches/3:
			restartOnce.Do(func() {
				if err := srv.Restart(); err != nil {
					t.Error(err)
				}
			})
		}
	})
	once, twice, missing := r.counts()
	if missing != 0 {
		t.Errorf("%d messages never reached their chatbot", missing)
	}
	if n := r.early.Load(); n != 0 {
		t.Errorf("%d batches were acknowledged before all their messages reached the chatbots", n)
	}
	if !sawDown.Load() {
		t.Error("no replica showed the store down (whatsapp_shared_store_up) during the outage")
	}
	fallbacks := 0.0
	for _, ts := range r.replicas {
		fallbacks += counter(t, ts.registry, "whatsapp_shared_store_fallbacks_total", map[string]string{"path": sharedstore.PathInbound})
	}
	if fallbacks == 0 {
		t.Error("no batch was counted as delivered without the store")
	}
	// After the restart both replicas use the store again (new batches:
	// a batch a replica delivered is known locally and not asked about).
	next := sharedBatches
	for i, ts := range r.replicas {
		testwait.Until(t, 10*time.Second, fmt.Sprintf("replica %d shows the store up", i), func() bool {
			r.deliver(t, next)
			next++
			return gaugeValue(t, ts, "whatsapp_shared_store_up") == 1
		})
	}
	t.Logf("during the outage: %v batches delivered at least once; messages delivered once %d, more than once %d", fallbacks, once, twice)
}

// gaugeValue reads an unlabelled gauge of a replica (-1 when absent).
func gaugeValue(tb testing.TB, ts *testServer, name string) float64 {
	tb.Helper()
	families, err := ts.registry.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name && len(f.GetMetric()) == 1 {
			return f.GetMetric()[0].GetGauge().GetValue()
		}
	}
	return -1
}
