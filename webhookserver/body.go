package webhookserver

import (
	"bytes"
	"encoding/json"
)

// body renders the delivery as a Meta-shaped webhook envelope holding only
// this channel's changes (the webhook body itself when all of it is this
// channel's, unchanged). Entry ids, times and change values are copied
// byte for byte, so wa_id, user_id and every field Meta adds tomorrow reach
// the chatbot untouched; nothing goes through a lossy struct.
func (d *delivery) body(object string) []byte {
	if d.whole != nil {
		return d.whole
	}
	var b bytes.Buffer
	b.WriteString(`{"object":`)
	writeJSONString(&b, object)
	b.WriteString(`,"entry":[`)
	for i, e := range d.entries {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"id":`)
		writeRaw(&b, e.id)
		if len(e.time) > 0 {
			b.WriteString(`,"time":`)
			writeRaw(&b, e.time)
		}
		b.WriteString(`,"changes":[`)
		for j, c := range e.changes {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"value":`)
			writeRaw(&b, c.Value)
			b.WriteString(`,"field":`)
			writeJSONString(&b, c.Field)
			b.WriteByte('}')
		}
		b.WriteString(`]}`)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// writeRaw writes a raw JSON value, or null when it is empty.
func writeRaw(b *bytes.Buffer, raw json.RawMessage) {
	if len(bytes.TrimSpace(raw)) == 0 {
		b.WriteString("null")
		return
	}
	b.Write(raw)
}

// writeJSONString writes s as a JSON string without HTML escaping.
func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // a string always encodes
	b.Truncate(b.Len() - 1) // Encode appends a newline
}
