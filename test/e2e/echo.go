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
// with "Echo: <text>" through the relay's send API, Meta's own
// POST /{version}/{phone-number-id}/messages with the relay as base URL.
type EchoBot struct {
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
	msgs, err := f.TextMessages()
	if err != nil {
		e.record("", fmt.Errorf("read the webhook: %w", err))
		return
	}
	for _, m := range msgs {
		reply := "Echo: " + m.Text
		e.record(reply, e.send(m, reply))
	}
}

// send posts one text reply to the relay, in Meta's own shape, with no
// Authorization header.
func (e *EchoBot) send(m TextMessage, reply string) error {
	body, _ := json.Marshal(map[string]any{
		"messaging_product": "whatsapp", "recipient_type": "individual", "to": m.From,
		"type": "text", "text": map[string]string{"body": reply},
		"context": map[string]string{"message_id": m.ID},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := strings.TrimSuffix(e.relayURL(), "/") + "/" + GraphAPIVersion + "/" + m.PhoneNumberID + "/messages"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
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
