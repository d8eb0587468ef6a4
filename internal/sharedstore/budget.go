package sharedstore

import (
	"context"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// Budget paces sends per phone number across every replica of a relay:
// one GCRA per number in the store (redis_rate), at the number's rate with
// a burst of two, so that no second of the store's clock admits more than
// the rate plus one, whichever replica asks. Sends of one replica queue for their
// number first come, first served; the first in the queue asks the store
// and, when refused, waits the time the store names. While the store fails
// each send is paced by Local instead, at this replica's share of the rate
// (rate ÷ replicas), and counted as a fallback.
//
// Meta counts a send when it arrives: sends admitted at the rate reach it
// after the network's latency, so one second at Meta may count up to
// rate × (spread of latencies, in seconds) + 2 more than the rate
// (decision 023). The local budget, which holds a slot until a second
// after the answer, has no such slack but runs at rate ÷ replicas.
type Budget struct {
	store   *Store
	limiter *redis_rate.Limiter
	local   *graph.SendBudget
	maxWait time.Duration

	mu     sync.Mutex
	queues map[string]*numberQueue
}

// sharedBurst is the GCRA's burst: 2 lets a send admitted a little late
// (a timer, a round trip) not cost the number its turn, at the price of
// one more send in a second than the rate.
const sharedBurst = 2

// numberQueue is one number's line of waiting sends: holding the token of
// turn is being first.
type numberQueue struct {
	users int
	turn  chan struct{}
}

// NewBudget returns a shared budget over local (the fallback, which also
// carries the replica count). maxWait bounds a send's wait in the queue.
func (s *Store) NewBudget(local *graph.SendBudget, maxWait time.Duration) *Budget {
	return &Budget{store: s, limiter: redis_rate.NewLimiter(s.rdb), local: local, maxWait: maxWait, queues: map[string]*numberQueue{}}
}

// SetReplicas sets the replica count of the fallback's share.
func (b *Budget) SetReplicas(n int) { b.local.SetReplicas(n) }

// Acquire waits for phoneNumberID's turn at perSecond messages a second.
// It returns the function to call once the send was answered (nothing to
// do for the shared budget; the local one frees its slot a second later)
// and how long it waited. A wait past maxWait fails with a
// *graph.LimitError (Budget graph.BudgetSend); a cancelled ctx with ctx's
// error.
func (b *Budget) Acquire(ctx context.Context, phoneNumberID string, perSecond int) (func(), time.Duration, error) {
	if perSecond <= 0 {
		perSecond = graph.DefaultMessagesPerSecond
	}
	start := time.Now()
	deadline := start.Add(b.maxWait)
	leave, err := b.enter(ctx, phoneNumberID, deadline)
	if err != nil {
		return nil, time.Since(start), err
	}
	limit := redis_rate.Limit{Rate: perSecond, Burst: sharedBurst, Period: time.Second}
	key := b.store.keys.budget(phoneNumberID)
	for {
		if !b.store.health.allow() {
			leave()
			return b.fallback(ctx, phoneNumberID, perSecond, start)
		}
		res, err := b.allow(ctx, key, limit)
		if err != nil {
			leave()
			if ctx.Err() != nil {
				return nil, time.Since(start), ctx.Err()
			}
			return b.fallback(ctx, phoneNumberID, perSecond, start)
		}
		if res.Allowed > 0 {
			leave()
			return func() {}, time.Since(start), nil
		}
		wait := max(res.RetryAfter, time.Millisecond)
		if time.Now().Add(wait).After(deadline) {
			leave()
			return nil, time.Since(start), limitError()
		}
		if !sleepCtx(ctx, wait) {
			leave()
			return nil, time.Since(start), ctx.Err()
		}
	}
}

// allow asks the store once.
func (b *Budget) allow(ctx context.Context, key string, limit redis_rate.Limit) (*redis_rate.Result, error) {
	octx, cancel := b.store.opContext(ctx)
	defer cancel()
	res, err := b.limiter.Allow(octx, key, limit)
	if ctx.Err() == nil { // a send abandoned by its chatbot says nothing of the store
		b.store.health.record("budget", err)
	}
	return res, err
}

// fallback paces one send with the local budget at this replica's share.
func (b *Budget) fallback(ctx context.Context, phoneNumberID string, perSecond int, start time.Time) (func(), time.Duration, error) {
	b.store.metrics.Fallback(PathRelay)
	release, waited, err := b.local.Acquire(ctx, phoneNumberID, perSecond)
	_ = waited
	return release, time.Since(start), err
}

// enter waits for the number's turn until deadline; the returned func
// gives it up.
func (b *Budget) enter(ctx context.Context, phoneNumberID string, deadline time.Time) (func(), error) {
	b.mu.Lock()
	q := b.queues[phoneNumberID]
	if q == nil {
		q = &numberQueue{turn: make(chan struct{}, 1)}
		b.queues[phoneNumberID] = q
	}
	q.users++
	b.mu.Unlock()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case q.turn <- struct{}{}: // blocked senders are served in arrival order
		return func() {
			<-q.turn
			b.done(phoneNumberID, q)
		}, nil
	case <-timer.C:
		b.done(phoneNumberID, q)
		return nil, limitError()
	case <-ctx.Done():
		b.done(phoneNumberID, q)
		return nil, ctx.Err()
	}
}

// done forgets a queue nobody is in.
func (b *Budget) done(phoneNumberID string, q *numberQueue) {
	b.mu.Lock()
	defer b.mu.Unlock()
	q.users--
	if q.users == 0 {
		delete(b.queues, phoneNumberID)
	}
}

// Waiting is the number of sends queued, over all numbers (those being
// asked for included).
func (b *Budget) Waiting() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, q := range b.queues {
		n += q.users
	}
	return n + b.local.Waiting()
}

func limitError() error {
	return &graph.LimitError{Endpoint: graph.EndpointSendMessage, Budget: graph.BudgetSend, RetryAfter: time.Second}
}

// sleepCtx waits d; false when ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
