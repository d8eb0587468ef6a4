package relay

import (
	"context"
	"sync"
)

// lanes keep each recipient's messages in order: a lane is held from the
// first part of a request to its last answer (retries and fallbacks
// included), and requests waiting for it are served in arrival order. A
// message that waits out a rate-limit answer is therefore never overtaken
// by a later message to the same person.
type lanes struct {
	mu    sync.Mutex
	lanes map[laneKey]*lane
}

// laneKey is one recipient of one phone number.
type laneKey struct {
	phoneNumberID, recipient string
}

type lane struct {
	users int
	turn  chan struct{} // capacity 1: holding its token is holding the lane
}

func newLanes() *lanes { return &lanes{lanes: map[laneKey]*lane{}} }

// enter waits for key's lane; the returned func leaves it. A cancelled ctx
// gives up waiting.
func (l *lanes) enter(ctx context.Context, key laneKey) (func(), error) {
	l.mu.Lock()
	ln := l.lanes[key]
	if ln == nil {
		ln = &lane{turn: make(chan struct{}, 1)}
		l.lanes[key] = ln
	}
	ln.users++
	l.mu.Unlock()
	select {
	case ln.turn <- struct{}{}: // blocked senders are served first come, first served
		return func() {
			<-ln.turn
			l.done(key, ln)
		}, nil
	case <-ctx.Done():
		l.done(key, ln)
		return nil, ctx.Err()
	}
}

// done forgets a lane nobody uses.
func (l *lanes) done(key laneKey, ln *lane) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ln.users--
	if ln.users == 0 {
		delete(l.lanes, key)
	}
}
