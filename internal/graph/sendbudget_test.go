package graph

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestMessagesPerSecond(t *testing.T) {
	for level, want := range map[string]int{
		ThroughputStandard: 80, ThroughputHigh: 1000, ThroughputNotApplicable: 80, "": 80, "SOMETHING_NEW": 80,
	} {
		if got := MessagesPerSecond(level); got != want {
			t.Errorf("level %q: got %d msg/s, want %d", level, got, want)
		}
	}
}

func TestSendBudgetAdmitsRateThenQueues(t *testing.T) {
	b := NewSendBudget(SendBudgetOptions{MaxWait: 50 * time.Millisecond})
	ctx := context.Background()
	var releases []func()
	for i := range 5 {
		release, _, err := b.Acquire(ctx, "101", 5)
		if err != nil {
			t.Fatalf("send %d of a 5/s number: %v", i+1, err)
		}
		releases = append(releases, release)
	}
	_, _, err := b.Acquire(ctx, "101", 5)
	var le *LimitError
	if !errors.As(err, &le) || le.Budget != BudgetSend {
		t.Fatalf("the 6th send while 5 are unanswered: got %v, want a send-budget LimitError", err)
	}
	if _, _, err := b.Acquire(ctx, "202", 5); err != nil {
		t.Errorf("another number has its own budget: %v", err)
	}
	// One answer frees one slot, one window later: a waiting send gets it.
	b.opts.MaxWait = 5 * time.Second
	releases[0]()
	releases[0]() // idempotent: one slot, not two
	release, waited, err := b.Acquire(ctx, "101", 5)
	if err != nil || waited == 0 {
		t.Fatalf("after an answer the queued send goes (err %v, waited %v)", err, waited)
	}
	release()
	b.opts.MaxWait = 50 * time.Millisecond
	if _, _, err := b.Acquire(ctx, "101", 5); !errors.As(err, &le) {
		t.Errorf("a double release must not create a sixth slot: %v", err)
	}
}

func TestSendBudgetServesWaitersInOrder(t *testing.T) {
	b := NewSendBudget(SendBudgetOptions{MaxWait: 10 * time.Second})
	ctx := context.Background()
	first, _, err := b.Acquire(ctx, "101", 1)
	if err != nil {
		t.Fatal(err)
	}
	order := make(chan int, 3)
	for i := range 3 {
		go func() {
			release, _, err := b.Acquire(ctx, "101", 1)
			if err != nil {
				t.Error(err)
				return
			}
			order <- i
			release()
		}()
		waitFor(t, func() bool { return b.Waiting() == i+1 }) // its place in the queue is taken
	}
	first()
	for want := range 3 {
		if got := <-order; got != want {
			t.Fatalf("waiter %d went before waiter %d: a number's queue is first come, first served", got, want)
		}
	}
}

func TestSendBudgetDividesByReplicas(t *testing.T) {
	b := NewSendBudget(SendBudgetOptions{Replicas: 4, MaxWait: 20 * time.Millisecond})
	ok := 0
	for range 30 {
		if _, _, err := b.Acquire(context.Background(), "101", 80); err == nil {
			ok++
		}
	}
	if ok != 20 {
		t.Errorf("with 4 replicas a replica admits 80/4 = 20 sends per window, got %d", ok)
	}
	b.SetReplicas(2) // spec.relay.replicas went down: this replica's share grows to 40
	more := 0
	for range 30 {
		if _, _, err := b.Acquire(context.Background(), "101", 80); err == nil {
			more++
		}
	}
	if more != 20 {
		t.Errorf("with 2 replicas 20 more sends fit beside the 20 in flight, got %d", more)
	}
}

func TestSendBudgetResizeKeepsInFlight(t *testing.T) {
	b := NewSendBudget(SendBudgetOptions{MaxWait: 20 * time.Millisecond})
	ctx := context.Background()
	for range 3 {
		if _, _, err := b.Acquire(ctx, "101", 4); err != nil {
			t.Fatal(err)
		}
	}
	// The number is upgraded to 6/s while 3 sends are unanswered: 3 more.
	n := 0
	for range 10 {
		if _, _, err := b.Acquire(ctx, "101", 6); err == nil {
			n++
		}
	}
	if n != 3 {
		t.Errorf("after growing from 4 to 6 with 3 in flight, got %d more sends, want 3", n)
	}
}

func TestSendBudgetDisabled(t *testing.T) {
	b := NewSendBudget(SendBudgetOptions{Disabled: true})
	for range 1000 {
		if _, _, err := b.Acquire(context.Background(), "101", 1); err != nil {
			t.Fatal(err)
		}
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}
