package e2e

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Chatbot stands in for a team's chatbot: an HTTP server on a loopback
// port that records every POST the webhook server forwards to it and
// answers 200, as a bot that enqueues and answers at once does.
type Chatbot struct {
	// URL is what a WhatsAppChannel's spec.chatbot.url names.
	URL string

	srv       *httptest.Server
	onMessage func(Forwarded)
	mu        sync.Mutex
	received  []Forwarded
}

// Forwarded is one POST the chatbot received.
type Forwarded struct {
	Path   string
	Header http.Header
	Body   []byte
}

// NewChatbot starts a chatbot. onMessage, when not nil, runs for every
// POST before the chatbot answers (the demo's bot replies from there).
func NewChatbot(onMessage func(Forwarded)) *Chatbot {
	c := &Chatbot{onMessage: onMessage}
	c.srv = httptest.NewServer(http.HandlerFunc(c.serve))
	c.URL = c.srv.URL + "/whatsapp"
	return c
}

func (c *Chatbot) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f := Forwarded{Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	c.mu.Lock()
	c.received = append(c.received, f)
	c.mu.Unlock()
	if c.onMessage != nil {
		c.onMessage(f)
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"status":"queued"}`))
}

// Received returns what the chatbot has received so far.
func (c *Chatbot) Received() []Forwarded {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Forwarded(nil), c.received...)
}

// Close stops the chatbot.
func (c *Chatbot) Close() { c.srv.Close() }

// Channel is the X-WhatsApp-Channel header: "namespace/name" of the
// WhatsAppChannel the message came through.
func (f Forwarded) Channel() string { return f.Header.Get("X-WhatsApp-Channel") }

// TextMessage is an inbound text message as a chatbot reads it from
// Meta's webhook JSON.
type TextMessage struct {
	PhoneNumberID string // the business number it was sent to
	ID            string // Meta's wamid
	From          string // the user's wa_id
	Text          string
}

// webhookBody is the part of Meta's envelope a text bot reads.
type webhookBody struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      string `json:"id"`
		Changes []struct {
			Field string `json:"field"`
			Value struct {
				Metadata struct {
					PhoneNumberID string `json:"phone_number_id"`
				} `json:"metadata"`
				Messages []struct {
					ID   string `json:"id"`
					From string `json:"from"`
					Type string `json:"type"`
					Text struct {
						Body string `json:"body"`
					} `json:"text"`
				} `json:"messages"`
			} `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

// TextMessages reads the text messages out of the forwarded body, which
// must be Meta's webhook envelope.
func (f Forwarded) TextMessages() ([]TextMessage, error) {
	var b webhookBody
	if err := json.Unmarshal(f.Body, &b); err != nil {
		return nil, err
	}
	if b.Object != "whatsapp_business_account" {
		return nil, errors.New(`not a WhatsApp webhook: object is "` + b.Object + `"`)
	}
	var out []TextMessage
	for _, e := range b.Entry {
		for _, ch := range e.Changes {
			for _, m := range ch.Value.Messages {
				if ch.Field == "messages" && m.Type == "text" {
					out = append(out, TextMessage{PhoneNumberID: ch.Value.Metadata.PhoneNumberID, ID: m.ID, From: m.From, Text: m.Text.Body})
				}
			}
		}
	}
	return out, nil
}
