package graphsim

import (
	"context"
	"encoding/json"
	"time"
)

// maxEvents is how many events the simulator remembers; older ones are
// dropped, and a reader that fell that far behind resumes at the oldest.
const maxEvents = 2048

// Event kinds: what a WhatsApp user's phone would notice, in order.
const (
	// EventSent: the business sent a message (Message holds it).
	EventSent = "sent"
	// EventStatus: a status webhook (sent, delivered, read) for a message
	// the business sent was delivered to its callback; StatusCode is the
	// answer.
	EventStatus = "status"
	// EventReadByBusiness: the business marked a user's message as read.
	EventReadByBusiness = "read_by_business"
)

// Event is one thing that happened at the simulated Meta, numbered in the
// order it happened (Seq starts at 1).
type Event struct {
	Seq  int64     `json:"seq"`
	Kind string    `json:"kind"`
	At   time.Time `json:"at"`
	// Message is the business's message (EventSent).
	Message *SentMessage `json:"message,omitempty"`
	// MessageID is the message a status or read receipt is about.
	MessageID     string `json:"messageID,omitempty"`
	PhoneNumberID string `json:"phoneNumberID,omitempty"`
	// Status is sent, delivered or read (EventStatus).
	Status string `json:"status,omitempty"`
	// StatusCode is the callback's answer to the status webhook, or 0 with
	// Error when it could not be reached.
	StatusCode int    `json:"statusCode,omitempty"`
	Error      string `json:"error,omitempty"`
}

// eventLog holds the last maxEvents events; changed is closed and
// replaced whenever one is added, waking readers.
type eventLog struct {
	events  []Event
	next    int64
	changed chan struct{}
}

// addEventLocked appends e. s.mu must be held.
func (s *Server) addEventLocked(e Event) {
	l := &s.eventLog
	if l.changed == nil {
		l.changed = make(chan struct{})
	}
	l.next++
	e.Seq, e.At = l.next, s.now()
	l.events = append(l.events, e)
	if over := len(l.events) - maxEvents; over > 0 {
		l.events = append([]Event(nil), l.events[over:]...)
	}
	close(l.changed)
	l.changed = make(chan struct{})
}

// Events returns the events after seq (0 for all remembered), waiting up
// to wait for one when there are none yet. It returns early, with what it
// has, when ctx ends.
func (s *Server) Events(ctx context.Context, after int64, wait time.Duration) []Event {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		s.mu.Lock()
		l := &s.eventLog
		if l.changed == nil {
			l.changed = make(chan struct{})
		}
		var out []Event
		for _, e := range l.events {
			if e.Seq > after {
				out = append(out, e)
			}
		}
		changed := l.changed
		s.mu.Unlock()
		if len(out) > 0 {
			return out
		}
		select {
		case <-changed:
		case <-timer.C:
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}

// sentMessageEvent copies m for an EventSent (its body is shared
// read-only, never modified after the send).
func sentMessageEvent(m SentMessage) Event {
	m.Body = append(json.RawMessage(nil), m.Body...)
	return Event{Kind: EventSent, Message: &m, MessageID: m.ID, PhoneNumberID: m.PhoneNumberID}
}
