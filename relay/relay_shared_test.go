package relay

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/redistest"
	"github.com/kubechat/whatsapp-operator/internal/sharedstore"
)

// sharedBudgetSlack is the documented slack of the shared budget
// (decision 023): the store admits at most the rate in any second of its
// clock, plus one (its burst of two); Meta counts arrivals, which the
// network's latency spreads, so a second at Meta may count rate × spread
// + 2 more. The test allows a spread of 100 ms.
func sharedBudgetSlack(rate int) int { return rate/10 + 2 }

// TestTwoRelaysShareOneBudget (issue 10): two relay replicas of one
// provider, sharing one Redis, send a burst of 1,000 messages to one
// number, half through each. Every message is delivered exactly once, and
// the simulator (which refuses nothing here, so that it counts every
// arrival) never counts more than the number's rate in one second, beyond
// the documented slack. Without the shared budget each replica would send
// at the full rate (spec.relay.replicas is 2, so each would fall back to
// half of it: that is counted, and must not happen with Redis up).
func TestTwoRelaysShareOneBudget(t *testing.T) {
	t.Parallel()
	srv := redistest.Shared(t)
	prefix := redistest.Prefix(t)
	shared := func(o *Options) {
		// The store is up: its timeout (500 ms in production, past which a
		// send is paced locally as in an outage) is set past any
		// scheduling delay of -race on a loaded machine, so that every
		// local pacing counted below is a defect, not a slow round trip.
		o.SharedState = sharedstore.Config{Address: srv.Addr(), KeyPrefix: prefix, AllowAddresses: redistest.Loopback, OpTimeout: 10 * time.Second}
		o.MaxQueueWait = time.Minute // the burst takes 12.5 s at 80/s: nothing is refused for waiting
	}
	two := int32(2)
	h := startHarness(t, setup{
		before: func(h *harness) {
			h.provider.Spec.Relay = &whatsappv1alpha1.ProviderRelay{Replicas: &two}
			must(t, h.c.Update(context.Background(), h.provider))
		},
		options: shared,
	})
	other := h.replica(shared)
	relays := []*harness{h, other}

	const workers, each = 100, 10
	rate := graph.DefaultMessagesPerSecond
	failures := make(chan string, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			relay := relays[w%2]
			to := fmt.Sprintf("1650555%04d", w)
			for i := range each {
				msg := text(fmt.Sprintf("%s #%d", to, i))
				msg["to"] = to
				if a := relay.send(testPNID, msg); a.status != http.StatusOK {
					failures <- fmt.Sprintf("%s #%d: %d %s", to, i, a.status, a.raw)
				}
			}
		})
	}
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Error(f)
	}
	if sent := len(h.sim.SentMessages(testPNID)); sent != workers*each {
		t.Errorf("Meta accepted %d messages, want %d", sent, workers*each)
	}
	most := h.sim.MaxSendsInASecond(testPNID)
	if most > rate+sharedBudgetSlack(rate) {
		t.Errorf("the simulator counted %d sends in one second: more than the number's %d plus the slack %d", most, rate, sharedBudgetSlack(rate))
	}
	seconds := len(h.sim.SendsPerSecond(testPNID))
	t.Logf("1,000 sends through two relays: at most %d in one second of the simulator (rate %d), over %d seconds", most, rate, seconds)
	for i, r := range relays {
		if f := counter(r.reg, "whatsapp_shared_store_fallbacks_total", map[string]string{"path": sharedstore.PathRelay}); f != 0 {
			t.Errorf("relay %d paced %v sends locally with Redis up", i, f)
		}
	}
	// Paced at the full rate, not at a half per replica: the burst spans
	// about 1,000 / 80 seconds, not twice as many.
	if limit := 2 * workers * each / rate; seconds > limit {
		t.Errorf("the burst spread over %d seconds, more than %d: the replicas did not use the number's whole rate", seconds, limit)
	}
}
