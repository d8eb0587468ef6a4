package graphsim

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"
)

const (
	// HeaderSignature is the header Meta signs webhook bodies in.
	HeaderSignature = "X-Hub-Signature-256"
	signaturePrefix = "sha256="
	webhookAgent    = "facebookexternalua"
	deliveryTimeout = 10 * time.Second
)

// Delivery records one webhook the simulator sent on its own (template
// status changes, quality updates) to an app's callback URL.
type Delivery struct {
	URL        string    `json:"url"`
	Field      string    `json:"field"`
	StatusCode int       `json:"statusCode,omitempty"`
	Error      string    `json:"error,omitempty"`
	At         time.Time `json:"at"`
}

// outboundWebhook is a webhook queued under the lock, sent after it.
type outboundWebhook struct {
	url, secret, field string
	payload            []byte
	// status, when set, makes the delivery an Event (status webhooks).
	status *statusNote
	// then are delivered after this one, in order (a message's sent, then
	// delivered).
	then []outboundWebhook
}

// statusNote is what a status webhook is about.
type statusNote struct{ messageID, phoneNumberID, status string }

// Sign returns the X-Hub-Signature-256 value Meta sends for body:
// "sha256=" and the lowercase hex HMAC-SHA256 of the raw bytes keyed with
// the app secret.
func Sign(appSecret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write(body)
	return signaturePrefix + hex.EncodeToString(m.Sum(nil))
}

// DeliverWebhook POSTs payload to url exactly as Meta does: JSON body,
// X-Hub-Signature-256 over the raw bytes with appSecret. The caller closes
// the response body.
func (s *Server) DeliverWebhook(ctx context.Context, url, appSecret string, payload []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", webhookAgent)
	req.Header.Set(HeaderSignature, Sign(appSecret, payload))
	return s.opts.HTTPClient.Do(req)
}

// Deliveries returns the webhooks the simulator sent on its own.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.delivered...)
}

// queueAppWebhooksLocked queues payload for the callback of every app
// subscribed to the WABA (template and account webhooks go to the app's own
// callback, never to an override).
func (s *Server) queueAppWebhooksLocked(waba, field string, payload []byte) {
	w, ok := s.wabas[waba]
	if !ok {
		return
	}
	for _, sub := range w.subscriptions {
		if app := s.apps[sub.AppID]; app != nil && app.CallbackURL != "" {
			s.outbox = append(s.outbox, outboundWebhook{url: app.CallbackURL, secret: app.Secret, field: field, payload: payload})
		}
	}
}

// flushOutbox sends queued webhooks in the background; Close waits for them.
func (s *Server) flushOutbox() {
	s.mu.Lock()
	queued := s.outbox
	s.outbox = nil
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.deliveries.Add(len(queued))
	s.mu.Unlock()
	for _, o := range queued {
		go func() {
			defer s.deliveries.Done()
			s.deliver(o)
			for _, next := range o.then {
				s.deliver(next)
			}
		}()
	}
}

func (s *Server) deliver(o outboundWebhook) {
	ctx, cancel := context.WithTimeout(context.Background(), deliveryTimeout)
	defer cancel()
	d := Delivery{URL: o.url, Field: o.field, At: s.now()}
	resp, err := s.DeliverWebhook(ctx, o.url, o.secret, o.payload)
	if err != nil {
		d.Error = err.Error()
	} else {
		d.StatusCode = resp.StatusCode
		_ = resp.Body.Close()
	}
	s.mu.Lock()
	s.delivered = append(s.delivered, d)
	if n := o.status; n != nil {
		s.addEventLocked(Event{Kind: EventStatus, MessageID: n.messageID, PhoneNumberID: n.phoneNumberID,
			Status: n.status, StatusCode: d.StatusCode, Error: d.Error})
	}
	s.mu.Unlock()
}
