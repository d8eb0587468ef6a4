package chatpage

import (
	"encoding/json"
	"sync"
)

// Bounds of the event stream: a page that does not keep up is dropped
// (it reconnects and gets a fresh snapshot), and only so many pages may
// listen at once.
const (
	subscriberBuffer = 256
	maxSubscribers   = 32
)

// frame is one server-sent event.
type frame struct {
	event string
	data  []byte
}

// hub fans events out to the pages listening.
type hub struct {
	mu   sync.Mutex
	subs map[chan frame]struct{}
}

func newHub() *hub { return &hub{subs: map[chan frame]struct{}{}} }

// subscribe returns a channel of events, or false when too many listen.
func (h *hub) subscribe() (chan frame, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.subs) >= maxSubscribers {
		return nil, false
	}
	ch := make(chan frame, subscriberBuffer)
	h.subs[ch] = struct{}{}
	return ch, true
}

// unsubscribe stops sending to ch.
func (h *hub) unsubscribe(ch chan frame) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[ch]; ok {
		delete(h.subs, ch)
		close(ch)
	}
}

// publish sends v as event to every page; a page whose buffer is full is
// dropped instead of slowing the others.
func (h *hub) publish(event string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- frame{event: event, data: data}:
		default:
			delete(h.subs, ch)
			close(ch)
		}
	}
}
