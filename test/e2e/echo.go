package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// EchoBot is the chatbot of the demo and of the end-to-end tests, written
// as a team's bot would be: it holds no access token and no app secret. It
// checks each forwarded body against X-Hub-Signature-256 with the
// provider's forwarding key (docs/forwarding.md), then answers every text
// with "Echo: <text>" (or what Respond says) through the relay's send API,
// Meta's own POST /{version}/{phone-number-id}/messages with the relay as
// base URL.
type EchoBot struct {
	// Respond, when set, decides the replies to each inbound message (each
	// a Meta send body's type-specific part, such as {"type": "text",
	// "text": {...}}); the bot adds messaging_product, to and context. The
	// default answers a text with "Echo: <text>" and nothing else.
	Respond func(Incoming) []Reply
	// MarkRead makes the bot mark each message read through the relay
	// before it replies, as WhatsApp bots do (the user sees blue ticks).
	MarkRead bool

	relayURL func() string
	key      func() ([]byte, error)
	client   *http.Client

	mu      sync.Mutex
	replies []string
	errs    []error
}

// NewEchoBot replies through the relay at relayURL() with the forwarding
// key key() (read when a message arrives, as from a mounted Secret).
func NewEchoBot(relayURL func() string, key func() ([]byte, error)) *EchoBot {
	return &EchoBot{relayURL: relayURL, key: key, client: &http.Client{Timeout: 10 * time.Second}}
}

// Handle verifies one forwarded webhook and replies to its text messages.
func (e *EchoBot) Handle(f Forwarded) {
	key, err := e.key()
	if err != nil {
		e.record("", fmt.Errorf("read the forwarding key: %w", err))
		return
	}
	if !verifyForwarded(key, f.Body, f.Header.Get("X-Hub-Signature-256")) {
		e.record("", errors.New("the forwarded body's signature does not match the forwarding key"))
		return
	}
	msgs, err := f.Messages()
	if err != nil {
		e.record("", fmt.Errorf("read the webhook: %w", err))
		return
	}
	respond := e.Respond
	if respond == nil {
		respond = echoText
	}
	for _, m := range msgs {
		if e.MarkRead {
			if err := e.post(m.PhoneNumberID, map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": m.ID}); err != nil {
				e.record("", fmt.Errorf("mark %s read: %w", m.ID, err))
			}
		}
		for _, r := range respond(m) {
			e.record(r.summary(), e.send(m, r))
		}
	}
}

// Reply is the type-specific part of a Meta send body: {"type": "text",
// "text": {"body": "..."}}, an image, an interactive message, a template.
type Reply map[string]any

// TextReply is a text reply.
func TextReply(text string) Reply {
	return Reply{"type": "text", "text": map[string]any{"body": text}}
}

// summary is what Sent lists for a reply: a text's body, else its type.
func (r Reply) summary() string {
	if t, ok := r["text"].(map[string]any); ok {
		if body, ok := t["body"].(string); ok {
			return body
		}
	}
	s, _ := r["type"].(string)
	return s
}

// echoText is the default Respond: "Echo: <text>" for a text, nothing else.
func echoText(m Incoming) []Reply {
	if m.Type != "text" {
		return nil
	}
	return []Reply{TextReply("Echo: " + m.Text)}
}

// send posts one reply to m to the relay, in Meta's own shape.
func (e *EchoBot) send(m Incoming, r Reply) error {
	body := map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": m.From,
		"context": map[string]string{"message_id": m.ID}}
	for k, v := range r {
		body[k] = v
	}
	return e.post(m.PhoneNumberID, body)
}

// post sends body to the relay's /messages of phoneNumberID, with no
// Authorization header.
func (e *EchoBot) post(phoneNumberID string, body map[string]any) error {
	raw, _ := json.Marshal(body)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	url := strings.TrimSuffix(e.relayURL(), "/") + "/" + GraphAPIVersion + "/" + phoneNumberID + "/messages"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the relay answered %d: %s", resp.StatusCode, answer)
	}
	return nil
}

func (e *EchoBot) record(reply string, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err != nil {
		e.errs = append(e.errs, err)
		return
	}
	e.replies = append(e.replies, reply)
}

// Sent returns the replies the relay accepted and the errors met.
func (e *EchoBot) Sent() ([]string, []error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.replies...), append([]error(nil), e.errs...)
}

// verifyForwarded is docs/forwarding.md's check: header signs body with the
// forwarding key.
func verifyForwarded(key, body []byte, header string) bool {
	digest, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	return hmac.Equal([]byte(digest), []byte(hex.EncodeToString(mac.Sum(nil))))
}
