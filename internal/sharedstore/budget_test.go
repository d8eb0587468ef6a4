package sharedstore

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/redistest"
	"github.com/kubechat/whatsapp-operator/internal/testwait"
)

func newBudget(t testing.TB, s *Store, maxWait time.Duration) *Budget {
	t.Helper()
	return s.NewBudget(graph.NewSendBudget(graph.SendBudgetOptions{MaxWait: maxWait}), maxWait)
}

// TestBudgetIsSharedAcrossReplicas: one replica's send uses the number's
// budget for the other replica too; another number's budget is its own.
func TestBudgetIsSharedAcrossReplicas(t *testing.T) {
	t.Parallel()
	srv := redistest.Shared(t)
	prefix := redistest.Prefix(t)
	a, _ := openStore(t, srv, prefix, "ns", "p")
	b, _ := openStore(t, srv, prefix, "ns", "p")
	ba, bb := newBudget(t, a, 5*time.Second), newBudget(t, b, 5*time.Second)
	ctx := context.Background()
	const rate = 4 // one send per 250 ms, two at once after a pause
	for i := range sharedBurst {
		if _, waited, err := ba.Acquire(ctx, "111", rate); err != nil || waited > 100*time.Millisecond {
			t.Fatalf("send %d of replica a: waited %v, %v; want at once (the burst)", i, waited, err)
		}
	}
	_, waited, err := bb.Acquire(ctx, "111", rate)
	must(t, err)
	if waited == 0 {
		t.Error("replica b's send did not wait although replica a just used the number's budget")
	}
	if _, waited, err := bb.Acquire(ctx, "222", rate); err != nil || waited > 100*time.Millisecond {
		t.Errorf("another number's first send waited %v, %v: budgets are per number", waited, err)
	}
}

// TestBudgetQueuesInArrivalOrder: sends that wait for one number's budget
// are admitted in the order they asked.
func TestBudgetQueuesInArrivalOrder(t *testing.T) {
	t.Parallel()
	srv := redistest.Shared(t)
	s, _ := openStore(t, srv, redistest.Prefix(t), "ns", "p")
	b := newBudget(t, s, 10*time.Second)
	ctx := context.Background()
	const n = 8
	var mu sync.Mutex
	var order []int
	var wg sync.WaitGroup
	for i := range n {
		testwait.Until(t, 5*time.Second, "the previous send queued", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return b.Waiting()+len(order) >= i
		})
		wg.Go(func() {
			if _, _, err := b.Acquire(ctx, "111", 20); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
		})
	}
	wg.Wait()
	for i, v := range order {
		if v != i {
			t.Fatalf("admitted in order %v, want 0..%d", order, n-1)
		}
	}
}

// TestBudgetRefusesPastMaxWait: a send that would wait longer than maxWait
// gets the send budget's LimitError and nothing else waits for it.
func TestBudgetRefusesPastMaxWait(t *testing.T) {
	t.Parallel()
	srv := redistest.Shared(t)
	s, _ := openStore(t, srv, redistest.Prefix(t), "ns", "p")
	b := newBudget(t, s, 100*time.Millisecond)
	ctx := context.Background()
	for range sharedBurst {
		_, _, err := b.Acquire(ctx, "111", 1)
		must(t, err)
	}
	_, _, err := b.Acquire(ctx, "111", 1) // the next slot is a second away
	var le *graph.LimitError
	if !errors.As(err, &le) || le.Budget != graph.BudgetSend {
		t.Fatalf("got %v, want a send-budget LimitError", err)
	}
	if w := b.Waiting(); w != 0 {
		t.Errorf("%d sends still queued after the refusal", w)
	}
}

// TestBudgetFallsBackToLocalShare: with the store gone, sends go on, paced
// by the local budget at this replica's share, and are counted.
func TestBudgetFallsBackToLocalShare(t *testing.T) {
	t.Parallel()
	srv, err := redistest.Start()
	must(t, err)
	defer srv.Stop()
	s, m := openStore(t, srv, "p:", "ns", "p")
	b := newBudget(t, s, 300*time.Millisecond)
	b.SetReplicas(2)
	ctx := context.Background()
	srv.Kill()
	release, _, err := b.Acquire(ctx, "111", 2) // share: 1 slot
	if err != nil {
		t.Fatalf("with the store gone a send was refused: %v", err)
	}
	// The one local slot is held until a second after the answer: the
	// next send of this replica cannot go within maxWait.
	if _, _, err := b.Acquire(ctx, "111", 2); err == nil {
		t.Error("the second send went at once: the fallback did not pace at rate ÷ replicas")
	}
	release()
	if got := testutil.ToFloat64(m.fallbacks.WithLabelValues(PathRelay)); got != 2 {
		t.Errorf("fallbacks_total{path=relay} = %v, want 2", got)
	}
	if !s.Health().Down() {
		t.Error("Health does not show the store down")
	}
}
