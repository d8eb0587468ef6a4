package graph

import (
	"context"
	"sync"
	"time"
)

// BudgetSend is the per-phone-number send budget (messages per second) in
// a LimitError: the relay refused a send locally because the number's queue
// did not move within SendBudgetOptions.MaxWait.
const BudgetSend = "send"

// Throughput levels Meta reports in a phone number's throughput.level.
const (
	ThroughputStandard      = "STANDARD"
	ThroughputHigh          = "HIGH"
	ThroughputNotApplicable = "NOT_APPLICABLE"
)

// Send rates per throughput level: 80 messages per second by default, up
// to 1,000 once Meta upgraded the number (graph-api-notes A9, Meta's
// throughput page).
const (
	DefaultMessagesPerSecond = 80
	HighMessagesPerSecond    = 1000
)

// defaultSendMaxWait bounds how long a send queues for its number's budget.
const defaultSendMaxWait = 10 * time.Second

// sendWindow is the window of Meta's per-second throughput.
const sendWindow = time.Second

// MessagesPerSecond is the send rate of a throughput level: 1,000 for
// HIGH, 80 for STANDARD and anything else (an unregistered number cannot
// send at all, so its rate does not matter).
func MessagesPerSecond(level string) int {
	if level == ThroughputHigh {
		return HighMessagesPerSecond
	}
	return DefaultMessagesPerSecond
}

// SendBudgetOptions configure a SendBudget.
type SendBudgetOptions struct {
	// Replicas is how many relay replicas share each number's rate until a
	// shared store exists: each admits rate/Replicas (at least 1). Default 1.
	Replicas int
	// MaxWait is the longest a send queues for its number's budget before
	// Acquire fails with a *LimitError. Default 10s.
	MaxWait time.Duration
	// Disabled admits every send at once (benchmarks).
	Disabled bool
}

// SendBudget paces message sends per phone number. A number at rate r has
// r slots; a send holds one from Acquire until one window (1 s) after its
// answer arrived. Meta counts a message at some moment between the
// request's start and its answer, so two sends through the same slot reach
// Meta more than a second apart, and no second ever counts more than r of
// them, whatever the latency and its jitter. Waiting sends are served in
// the order they asked. It is safe for concurrent use.
type SendBudget struct {
	opts SendBudgetOptions

	mu       sync.Mutex
	numbers  map[string]*numberSlots
	waiting  int
	replicas int
}

// numberSlots is one number's slots and its queue.
type numberSlots struct {
	size    int
	inUse   int
	waiters []chan struct{} // FIFO; a token on the channel hands over a slot
}

// NewSendBudget returns a budget with no number known yet.
func NewSendBudget(opts SendBudgetOptions) *SendBudget {
	if opts.Replicas <= 0 {
		opts.Replicas = 1
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = defaultSendMaxWait
	}
	return &SendBudget{opts: opts, numbers: map[string]*numberSlots{}, replicas: opts.Replicas}
}

// SetReplicas changes how many replicas share each number's rate (a
// MetaProvider's spec.relay.replicas changed); n < 1 counts as 1.
func (b *SendBudget) SetReplicas(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.replicas = max(n, 1)
}

// Waiting is the number of sends queued for a slot, over all numbers.
func (b *SendBudget) Waiting() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.waiting
}

// Acquire waits for a slot of phoneNumberID's budget, sized for a number
// sending perSecond messages (see MessagesPerSecond). It returns the
// function to call once the send was answered or failed, and how long it
// waited. A wait longer than MaxWait fails with a *LimitError (Budget
// BudgetSend); a cancelled ctx with ctx's error.
func (b *SendBudget) Acquire(ctx context.Context, phoneNumberID string, perSecond int) (release func(), waited time.Duration, err error) {
	if b.opts.Disabled {
		return func() {}, 0, nil
	}
	start := time.Now()
	b.mu.Lock()
	n := b.numberLocked(phoneNumberID, b.shareLocked(perSecond))
	if n.inUse < n.size && len(n.waiters) == 0 {
		n.inUse++
		b.mu.Unlock()
		return b.releaser(phoneNumberID), 0, nil
	}
	turn := make(chan struct{}, 1)
	n.waiters = append(n.waiters, turn)
	b.waiting++
	b.mu.Unlock()

	timer := time.NewTimer(b.opts.MaxWait)
	defer timer.Stop()
	select {
	case <-turn:
		return b.releaser(phoneNumberID), time.Since(start), nil
	case <-timer.C:
		err = &LimitError{Endpoint: EndpointSendMessage, Budget: BudgetSend, RetryAfter: sendWindow}
	case <-ctx.Done():
		err = ctx.Err()
	}
	if b.leave(phoneNumberID, turn) {
		return nil, time.Since(start), err
	}
	// The slot was handed over as the wait ended: pass it on at once.
	b.handOver(phoneNumberID)
	return nil, time.Since(start), err
}

// shareLocked is this replica's part of a number's rate. b.mu must be held.
func (b *SendBudget) shareLocked(perSecond int) int {
	if perSecond <= 0 {
		perSecond = DefaultMessagesPerSecond
	}
	return max(perSecond/b.replicas, 1)
}

// numberLocked returns the number's slots at size; a changed size (a
// throughput upgrade) keeps the sends in flight and lets waiters into new
// slots. b.mu must be held.
func (b *SendBudget) numberLocked(phoneNumberID string, size int) *numberSlots {
	n := b.numbers[phoneNumberID]
	if n == nil {
		n = &numberSlots{size: size}
		b.numbers[phoneNumberID] = n
	}
	if n.size != size {
		n.size = size
		for n.inUse < n.size && len(n.waiters) > 0 {
			b.grantLocked(n)
			n.inUse++
		}
	}
	return n
}

// leave removes turn from the queue; false when it was already granted.
func (b *SendBudget) leave(phoneNumberID string, turn chan struct{}) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := b.numbers[phoneNumberID]
	for i, w := range n.waiters {
		if w == turn {
			n.waiters = append(n.waiters[:i], n.waiters[i+1:]...)
			b.waiting--
			return true
		}
	}
	return false
}

// grantLocked hands a slot to the first waiter. b.mu must be held.
func (b *SendBudget) grantLocked(n *numberSlots) {
	w := n.waiters[0]
	n.waiters = n.waiters[1:]
	b.waiting--
	w <- struct{}{}
}

// handOver gives a slot to the next waiter, or frees it.
func (b *SendBudget) handOver(phoneNumberID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := b.numbers[phoneNumberID]
	switch {
	case n.inUse > n.size: // the number shrank: this slot is gone
		n.inUse--
	case len(n.waiters) > 0:
		b.grantLocked(n)
	default:
		n.inUse--
	}
}

// releaser frees the slot one window after it is called (once).
func (b *SendBudget) releaser(phoneNumberID string) func() {
	var once sync.Once
	return func() {
		once.Do(func() { time.AfterFunc(sendWindow, func() { b.handOver(phoneNumberID) }) })
	}
}
