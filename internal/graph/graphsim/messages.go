package graphsim

import (
	"encoding/json"
	"strconv"
)

// sendBody is what the simulator reads of a send request.
type sendBody struct {
	MessagingProduct string `json:"messaging_product"`
	To               string `json:"to"`
	Recipient        string `json:"recipient"`
	Type             string `json:"type"`
	Status           string `json:"status"`
	MessageID        string `json:"message_id"`
	Template         *struct {
		Name     string `json:"name"`
		Language struct {
			Code string `json:"code"`
		} `json:"language"`
	} `json:"template"`
}

// handleSendMessage serves POST /{phone-number-id}/messages: it needs a
// registered number, refuses free-form messages to a recipient whose window
// is closed (131047) and template messages naming no approved template
// (132001), and answers with a wamid.
func (s *Server) handleSendMessage(req *request) (any, *metaError) {
	p := s.phones[req.route.object]
	var body sendBody
	if err := decodeBody(req, &body); err != nil {
		return nil, err
	}
	if body.MessagingProduct != messagingProduct {
		return nil, errParamRequired("messaging_product")
	}
	if p.PlatformType != platformCloudAPI {
		return nil, errNotRegistered()
	}
	if body.Status == MessageRead {
		if body.MessageID == "" {
			return nil, errParamRequired("message_id")
		}
		s.addEventLocked(Event{Kind: EventReadByBusiness, MessageID: body.MessageID, PhoneNumberID: p.ID})
		return success(), nil
	}
	to := body.To
	if to == "" {
		to = body.Recipient
	}
	if to == "" {
		return nil, errParamRequired("to")
	}
	if body.Type == "" {
		body.Type = "text"
	}
	if s.throughputExceededLocked(p.ID) {
		return nil, errRateLimit(CodeThroughput, 0)
	}
	if body.Type == "template" {
		if merr := s.checkTemplateSendLocked(p.wabaID, body, req.body); merr != nil {
			return nil, merr
		}
	} else if p.closed["*"] || p.closed[digits(to)] || p.closed[to] {
		return nil, errWindowClosed()
	}
	now := s.now()
	id := wamid(p.ID, to, body.Type, now.String(), strconv.Itoa(len(s.sent)))
	s.recordSendLocked(p.ID)
	m := SentMessage{ID: id, PhoneNumberID: p.ID, To: to, Type: body.Type, Body: json.RawMessage(req.body), SentAt: now}
	s.sent = append(s.sent, m)
	s.addEventLocked(sentMessageEvent(m))
	s.queueSentStatusesLocked(m)
	contact := map[string]string{"input": to}
	if d := digits(to); d == to || "+"+d == to {
		contact["wa_id"] = d
	}
	return map[string]any{
		"messaging_product": messagingProduct,
		"contacts":          []any{contact},
		"messages":          []any{map[string]string{"id": id}},
	}, nil
}

func (s *Server) checkTemplateSendLocked(waba string, body sendBody, raw []byte) *metaError {
	if body.Template == nil {
		return errParamRequired("template")
	}
	t := s.findTemplateLocked(waba, body.Template.Name, body.Template.Language.Code)
	if t == nil || t.Status != StatusApproved {
		return errTemplateMissing(body.Template.Name, body.Template.Language.Code)
	}
	var envelope struct {
		Template json.RawMessage `json:"template"`
	}
	_ = json.Unmarshal(raw, &envelope)
	return checkTemplateParams(t, envelope.Template)
}

// SentMessages returns the messages accepted for a phone number ("" for
// every number), oldest first.
func (s *Server) SentMessages(phoneNumberID string) []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SentMessage
	for _, m := range s.sent {
		if phoneNumberID == "" || m.PhoneNumberID == phoneNumberID {
			out = append(out, m)
		}
	}
	return out
}
