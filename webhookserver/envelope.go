package webhookserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// objectWhatsApp is the envelope "object" of every WhatsApp webhook.
const objectWhatsApp = "whatsapp_business_account"

// errNotEnvelope is returned for JSON that is not a webhook envelope at all.
var errNotEnvelope = errors.New("body is not a webhook envelope")

// Envelope is the outer shape of every webhook POST: a list of entries, one
// per WhatsApp Business Account, each with a list of changes. Values are
// kept as the exact bytes Meta sent so that they reach chatbots untouched.
type Envelope struct {
	Object string  `json:"object"`
	Entry  []Entry `json:"entry"`
}

// Entry is one WhatsApp Business Account's share of a webhook.
type Entry struct {
	// ID is the WABA id, as sent (a JSON string, sometimes a number).
	ID json.RawMessage `json:"id"`
	// Time is present on some fields (templates, account updates).
	Time    json.RawMessage `json:"time,omitempty"`
	Changes []Change        `json:"changes"`
}

// Change is one event: its field names the kind, its value is kept raw.
type Change struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

// WABAID returns the entry's WhatsApp Business Account id as a string.
func (e Entry) WABAID() string { return rawID(e.ID) }

// valueHeader holds the few fields of a change value the router reads.
type valueHeader struct {
	Metadata *struct {
		PhoneNumberID      json.RawMessage `json:"phone_number_id"`
		DisplayPhoneNumber json.RawMessage `json:"display_phone_number"`
	} `json:"metadata"`
	// MessageTemplateID is a JSON number in template webhooks, a string elsewhere.
	MessageTemplateID json.RawMessage `json:"message_template_id"`
	// DisplayPhoneNumber is the only key of phone_number_*_update webhooks.
	DisplayPhoneNumber json.RawMessage `json:"display_phone_number"`
}

// phoneNumberID returns metadata.phone_number_id, or "".
func (h valueHeader) phoneNumberID() string {
	if h.Metadata == nil {
		return ""
	}
	return rawID(h.Metadata.PhoneNumberID)
}

// metadataDisplayNumber returns metadata.display_phone_number, or "".
func (h valueHeader) metadataDisplayNumber() string {
	if h.Metadata == nil {
		return ""
	}
	return rawID(h.Metadata.DisplayPhoneNumber)
}

// ParseEnvelope decodes a webhook body. It fails on anything that is not a
// JSON object with the envelope's shape; it does not judge the values.
func ParseEnvelope(body []byte) (*Envelope, error) {
	var env Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("decode webhook envelope: %w", err)
	}
	if env.Object == "" && env.Entry == nil {
		return nil, errNotEnvelope
	}
	return &env, nil
}

// parseValueHeader reads the routing fields of a change value. A value that
// is not a JSON object yields an empty header.
func parseValueHeader(value json.RawMessage) valueHeader {
	var h valueHeader
	if err := json.Unmarshal(value, &h); err != nil {
		return valueHeader{}
	}
	return h
}

// rawID turns a JSON string or number into its string form; anything else
// (null, objects, garbage) becomes "".
func rawID(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return ""
		}
		return strings.TrimSpace(s)
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return ""
		}
		return n.String()
	default:
		return ""
	}
}

// digits keeps only the ASCII digits of s: Meta formats display numbers
// with spaces, dashes and sometimes a leading +.
func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
