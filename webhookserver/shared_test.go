package webhookserver

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/redistest"
	"github.com/kubechat/whatsapp-operator/internal/retryload"
	"github.com/kubechat/whatsapp-operator/internal/sharedstore"
	"github.com/kubechat/whatsapp-operator/internal/testwait"
)

// Exactly once across two webhook server replicas sharing Redis, with the
// store up, is test/scaleout's TestTwoReplicasOfEach: the same load, sent
// to two webhook-server processes.

// sharedRig is two in-process webhook servers sharing a store behind a
// round-robin proxy, with retryload's two counting chatbots and load.
type sharedRig struct {
	*retryload.Load
	replicas []*testServer
}

func newSharedRig(tb testing.TB, redisAddr, prefix string) *sharedRig {
	botA, botB := retryload.NewBots(tb)
	shared := func(o *Options) {
		o.SharedState = sharedstore.Config{Address: redisAddr, KeyPrefix: prefix, AllowAddresses: redistest.Loopback, RetryAfter: 100 * time.Millisecond}
	}
	r := &sharedRig{}
	var urls []string
	for range 2 {
		ts := newTestServer(tb, []whatsappv1alpha1.WhatsAppChannel{
			newChannel("a", "+"+benchDisplayA, benchPNIDA, urlBot(botA.URL())),
			newChannel("b", "+"+benchDisplayB, benchPNIDB, urlBot(botB.URL())),
		}, shared)
		r.replicas = append(r.replicas, ts)
		urls = append(urls, ts.url)
	}
	r.Load = retryload.New(tb, retryload.RoundRobin(tb, urls...)+PathWebhook, testAppSecret, testWABA,
		retryload.Number{PhoneNumberID: benchPNIDA, Display: benchDisplayA}, retryload.Number{PhoneNumberID: benchPNIDB, Display: benchDisplayB},
		botA, botB)
	return r
}

// TestSharedStoreOutageLosesNothing (issue 10): retryload's load; Redis is
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
	r.Run(t, func(done int64) {
		switch {
		case done >= retryload.Batches/3 && done < 2*retryload.Batches/3:
			killOnce.Do(srv.Kill)
			for _, ts := range r.replicas {
				if gaugeValue(t, ts, "whatsapp_shared_store_up") == 0 {
					sawDown.Store(true)
				}
			}
		case done >= 2*retryload.Batches/3:
			restartOnce.Do(func() {
				if err := srv.Restart(); err != nil {
					t.Error(err)
				}
			})
		}
	})
	once, twice, missing := r.Counts()
	if missing != 0 {
		t.Errorf("%d messages never reached their chatbot", missing)
	}
	if n := r.Early(); n != 0 {
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
	next := retryload.Batches
	for i, ts := range r.replicas {
		testwait.Until(t, 10*time.Second, fmt.Sprintf("replica %d shows the store up", i), func() bool {
			r.Deliver(t, next)
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
