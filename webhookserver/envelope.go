package webhookserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
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
	// raw is the body the envelope was read from (nil when built by hand):
	// a body that routes whole to one chatbot is forwarded as it came.
	raw []byte
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
	// info is what routing and dedupe need of Value, read by ParseEnvelope
	// in the same pass (see decoded).
	info *valueInfo
}

// WABAID returns the entry's WhatsApp Business Account id as a string.
func (e Entry) WABAID() string { return rawID(e.ID) }

// valueHeader holds the few fields of a change value the router reads, as
// raw JSON values.
type valueHeader struct {
	Metadata *valueMetadata
	// MessageTemplateID is a JSON number in template webhooks, a string elsewhere.
	MessageTemplateID json.RawMessage
	// DisplayPhoneNumber is the only key of phone_number_*_update webhooks.
	DisplayPhoneNumber json.RawMessage
}

// valueMetadata is a change value's metadata object.
type valueMetadata struct {
	PhoneNumberID      json.RawMessage
	DisplayPhoneNumber json.RawMessage
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

// ParseEnvelope decodes a webhook body in one pass: the envelope, and of
// each change value its exact bytes (sharing body's memory: body must not
// change afterwards) and what routing and dedupe need (decode once). It
// fails on anything that is not a JSON object with the envelope's shape;
// it does not judge the values.
func ParseEnvelope(body []byte) (*Envelope, error) {
	env, err := readEnvelope(newWalker(body))
	if err != nil {
		return nil, fmt.Errorf("decode webhook envelope: %w", err)
	}
	if env.Object == "" && env.Entry == nil {
		return nil, errNotEnvelope
	}
	env.raw = body
	return env, nil
}

// readEnvelope reads the whole document as an envelope (null is an empty
// one).
func readEnvelope(w *walker) (*Envelope, error) {
	env := &Envelope{}
	switch w.kind() {
	case jsontext.KindNull:
		if err := w.skip(); err != nil {
			return nil, err
		}
		return env, w.finish()
	case jsontext.KindBeginObject:
	default:
		if err := w.skip(); err != nil {
			return nil, err
		}
		return nil, errEnvelopeShape
	}
	err := w.members(func(name []byte) (err error) {
		switch string(name) {
		case "object":
			env.Object, err = w.str()
		case "entry":
			env.Entry, err = readList(w, readEntry)
		default:
			err = w.skip()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return env, w.finish()
}

// readEntry reads one entry object.
func readEntry(w *walker) (e Entry, err error) {
	err = w.members(func(name []byte) (err error) {
		switch string(name) {
		case "id":
			e.ID, err = w.value()
		case "time":
			e.Time, err = w.value()
		case "changes":
			e.Changes, err = readList(w, readChange)
		default:
			err = w.skip()
		}
		return err
	})
	return e, err
}

// readChange reads one change object.
func readChange(w *walker) (c Change, err error) {
	err = w.members(func(name []byte) (err error) {
		switch string(name) {
		case "field":
			c.Field, err = w.str()
		case "value":
			c.Value, c.info, err = w.readValue()
		default:
			err = w.skip()
		}
		return err
	})
	return c, err
}

// readList reads an array of objects (null: none, null items: zero
// values) with read.
func readList[T any](w *walker, read func(*walker) (T, error)) ([]T, error) {
	switch w.kind() {
	case jsontext.KindNull:
		return nil, w.skip()
	case jsontext.KindBeginArray:
	default:
		return nil, errEnvelopeShape
	}
	if err := w.open(); err != nil {
		return nil, err
	}
	out := []T{}
	for {
		more, err := w.more()
		if err != nil || !more {
			return out, err
		}
		var v T
		switch w.kind() {
		case jsontext.KindNull:
			err = w.skip()
		case jsontext.KindBeginObject:
			v, err = read(w)
		default:
			err = errEnvelopeShape
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
}

// parseValueHeader reads the routing fields of a change value. A value that
// is not a JSON object yields an empty header.
func parseValueHeader(value json.RawMessage) valueHeader {
	return decodeValueInfo(value).header
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
		if len(raw) >= 2 && raw[len(raw)-1] == '"' && plainASCII(raw[1:len(raw)-1]) {
			// Meta's ids: no escapes, nothing to replace.
			return strings.TrimSpace(string(raw[1 : len(raw)-1]))
		}
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

// plainASCII reports whether b is printable ASCII without quotes or
// backslashes: a JSON string body that decodes to itself.
func plainASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
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
