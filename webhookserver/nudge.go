package webhookserver

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/types"
)

const (
	// nudgeWorkers write reconcile requests in the background.
	nudgeWorkers = 2
	// nudgeTimeout bounds one reconcile request (a list from the cache and
	// its patches).
	nudgeTimeout = 10 * time.Second
	// nudgeDropLogPeriod is the least time between two "queue full" logs.
	nudgeDropLogPeriod = time.Minute
)

// nudge is one reconcile request: the templates with a Meta template id, or
// one channel.
type nudge struct {
	templateID string
	channel    types.NamespacedName
}

// kind is the metrics label of a nudge.
func (n nudge) kind() string {
	if n.templateID != "" {
		return "MessageTemplate"
	}
	return "WhatsAppChannel"
}

// nudger writes reconcile requests in the background, so that the API
// server's latency never delays Meta's answer, which nudges do not change.
// Its queue is bounded: when it is full a nudge is dropped and counted
// (polling stays the source of truth). A nudge already queued is not queued
// twice. drain, at shutdown, lets the queue empty within a deadline.
type nudger struct {
	log       logr.Logger
	metrics   *metrics
	requester reconcileRequester
	timeout   time.Duration

	queue  chan nudge
	mu     sync.Mutex
	queued map[nudge]bool

	stop     chan struct{} // closed by drain: workers empty the queue, then exit
	stopOnce sync.Once
	ctx      context.Context // cancelled when the drain deadline passes
	cancel   context.CancelFunc
	workers  sync.WaitGroup

	pending      atomic.Int64 // queued or running
	dropLoggedAt atomic.Int64 // unix nanoseconds
}

// newNudger starts the workers of a queue of size capacity.
func newNudger(log logr.Logger, m *metrics, requester reconcileRequester, capacity int) *nudger {
	ctx, cancel := context.WithCancel(context.Background())
	n := &nudger{
		log:       log,
		metrics:   m,
		requester: requester,
		timeout:   nudgeTimeout,
		queue:     make(chan nudge, capacity),
		queued:    map[nudge]bool{},
		stop:      make(chan struct{}),
		ctx:       ctx,
		cancel:    cancel,
	}
	for range nudgeWorkers {
		n.workers.Go(n.work)
	}
	return n
}

// enqueue queues a nudge without blocking; a full queue drops it.
func (n *nudger) enqueue(j nudge) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.queued[j] {
		return // already waiting: one write will do for both events
	}
	select {
	case n.queue <- j:
		n.queued[j] = true
		n.pending.Add(1)
	default:
		n.metrics.reconcileRequests.WithLabelValues(j.kind(), "dropped").Inc()
		if now, last := time.Now().UnixNano(), n.dropLoggedAt.Load(); now-last >= int64(nudgeDropLogPeriod) && n.dropLoggedAt.CompareAndSwap(last, now) {
			n.log.Info("reconcile request queue full: request dropped; the next resync will catch up", "kind", j.kind(), "capacity", cap(n.queue))
		}
	}
}

// work runs nudges until drain, then empties the queue.
func (n *nudger) work() {
	for {
		select {
		case j := <-n.queue:
			n.run(j)
		case <-n.stop:
			for {
				select {
				case j := <-n.queue:
					n.run(j)
				default:
					return
				}
			}
		}
	}
}

// run writes one nudge.
func (n *nudger) run(j nudge) {
	n.mu.Lock()
	delete(n.queued, j)
	n.mu.Unlock()
	defer n.pending.Add(-1)
	if n.ctx.Err() != nil { // past the drain deadline
		n.metrics.reconcileRequests.WithLabelValues(j.kind(), "dropped").Inc()
		return
	}
	ctx, cancel := context.WithTimeout(n.ctx, n.timeout)
	defer cancel()
	if j.templateID != "" {
		n.requestTemplates(ctx, j.templateID)
		return
	}
	err := n.requester.RequestChannel(ctx, j.channel)
	n.count(j.kind(), err)
	if err != nil {
		n.log.Error(err, "cannot request a channel reconcile; the next resync will catch up", "channel", j.channel.String())
	}
}

// requestTemplates nudges the templates with a Meta template id. Failures
// are logged, not retried through Meta: polling stays the source of truth.
func (n *nudger) requestTemplates(ctx context.Context, id string) {
	annotated, err := n.requester.RequestTemplates(ctx, id)
	n.metrics.reconcileRequests.WithLabelValues("MessageTemplate", "ok").Add(float64(annotated))
	switch {
	case err != nil:
		n.metrics.reconcileRequests.WithLabelValues("MessageTemplate", "error").Add(float64(errorCount(err)))
		n.log.Error(err, "cannot request a template reconcile; the next resync will catch up", "templateID", id, "annotated", annotated)
	case annotated == 0:
		n.metrics.unroutable.WithLabelValues("no_template").Inc()
		n.log.V(1).Info("template event for no MessageTemplate of this provider", "templateID", id)
	}
}

// errorCount is the number of errors joined in err (errors.Join), else 1.
func errorCount(err error) int {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return len(j.Unwrap())
	}
	return 1
}

// count counts one reconcile request.
func (n *nudger) count(kind string, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	n.metrics.reconcileRequests.WithLabelValues(kind, result).Inc()
}

// drain stops taking work once the queue is empty and waits for the
// workers; when ctx ends first, work in progress is cancelled and what is
// left is dropped.
func (n *nudger) drain(ctx context.Context) {
	n.stopOnce.Do(func() { close(n.stop) })
	done := make(chan struct{})
	go func() { n.workers.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		n.log.Info("reconcile requests not written before the shutdown deadline; the next resync will catch up", "left", n.pending.Load())
		n.cancel()
		<-done
	}
	n.cancel()
}
