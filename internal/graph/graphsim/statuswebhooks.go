package graphsim

import "fmt"

// Message statuses a user's phone reports for the business's messages.
const (
	MessageSent      = "sent"
	MessageDelivered = "delivered"
	MessageRead      = "read"
)

// messagesCallbackLocked is where Meta sends a WABA's "messages" webhooks
// (inbound messages and statuses): the callback override of a subscribed
// app when one is set, else that app's own callback; with the app's secret.
// ok is false when no subscribed app has either.
func (s *Server) messagesCallbackLocked(wabaID string) (url, secret string, ok bool) {
	w, found := s.wabas[wabaID]
	if !found {
		return "", "", false
	}
	for _, sub := range w.subscriptions {
		app := s.apps[sub.AppID]
		if app == nil {
			continue
		}
		switch {
		case sub.OverrideCallbackURI != "":
			return sub.OverrideCallbackURI, app.Secret, true
		case app.CallbackURL != "":
			return app.CallbackURL, app.Secret, true
		}
	}
	return "", "", false
}

// statusWebhookLocked builds the status webhook of message m, to go to the
// WABA's messages callback; ok is false when there is none.
func (s *Server) statusWebhookLocked(m SentMessage, status string) (outboundWebhook, bool) {
	p := s.phones[m.PhoneNumberID]
	if p == nil {
		return outboundWebhook{}, false
	}
	url, secret, ok := s.messagesCallbackLocked(p.wabaID)
	if !ok {
		return outboundWebhook{}, false
	}
	payload := StatusWebhook(Status{
		WABAID: p.wabaID, PhoneNumberID: p.ID, DisplayPhoneNumber: digits(p.DisplayPhoneNumber),
		MessageID: m.ID, RecipientID: digits(m.To), Status: status, Timestamp: s.now(),
	})
	return outboundWebhook{url: url, secret: secret, field: fieldMessages, payload: payload,
		status: &statusNote{messageID: m.ID, phoneNumberID: p.ID, status: status}}, true
}

// queueSentStatusesLocked queues, for a message just accepted, the "sent"
// then "delivered" webhooks the user's phone causes, delivered in that
// order (Options.StatusWebhooks).
func (s *Server) queueSentStatusesLocked(m SentMessage) {
	if !s.opts.StatusWebhooks {
		return
	}
	sent, ok := s.statusWebhookLocked(m, MessageSent)
	if !ok {
		return
	}
	delivered, _ := s.statusWebhookLocked(m, MessageDelivered)
	sent.then = []outboundWebhook{delivered}
	s.outbox = append(s.outbox, sent)
}

// errNoSentMessage is returned for a status about a message the business
// never sent from that number.
func errNoSentMessage(id string) error {
	return fmt.Errorf("%w: no message %q was sent from this phone number", ErrNotFound, id)
}

// ReadByUser acts as the user's phone showing the business's message
// messageID: Meta sends the "read" status webhook to the messages callback.
func (s *Server) ReadByUser(phoneNumberID, messageID string) error {
	s.mu.Lock()
	if s.phones[phoneNumberID] == nil {
		s.mu.Unlock()
		return errNoPhone(phoneNumberID)
	}
	var found *SentMessage
	for i := range s.sent {
		if s.sent[i].ID == messageID && s.sent[i].PhoneNumberID == phoneNumberID {
			found = &s.sent[i]
			break
		}
	}
	if found == nil {
		s.mu.Unlock()
		return errNoSentMessage(messageID)
	}
	if o, ok := s.statusWebhookLocked(*found, MessageRead); ok {
		s.outbox = append(s.outbox, o)
	}
	s.mu.Unlock()
	s.flushOutbox()
	return nil
}
