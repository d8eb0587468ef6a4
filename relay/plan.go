package relay

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// plan is what the relay will send for one request, decided before
// anything is sent (pure: fuzzed).
type plan struct {
	kind      string
	recipient string
	// parts are the bodies to send, in order, each after Meta accepted the
	// one before.
	parts [][]byte
	// texts holds each part's text when a text was split, so that the
	// fallback can carry what was not delivered.
	texts []string
	// fallbackText goes through the fallback template when Meta answers
	// 131047; "" means no fallback (media without text, templates, ...).
	fallbackText string
	// changed: the parts differ from the request (split, extension removed).
	changed bool
	// link is a media link to check before sending ("" for none).
	link string
	// address are the top-level recipient fields, for template bodies.
	address map[string]json.RawMessage
}

// planMessage decides what to send for a request body: it refuses a body
// that breaks a rule, removes the relay's extension field and splits text
// over MaxTextRunes. maxTextRunes bounds the text it agrees to split.
func planMessage(raw []byte, maxTextRunes int) (*plan, *metaError) {
	var m message
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, badRequest("the request body is not a JSON object of Meta's send API: " + truncate(err.Error(), 200))
	}
	if err := checkMessage(&m, maxTextRunes); err != nil {
		return nil, err
	}
	p := &plan{kind: m.kind(), recipient: m.recipientKey(), fallbackText: m.fallbackText(), parts: [][]byte{raw}}
	if md := m.media(); md != nil {
		p.link = md.Link
	}
	split := p.kind == "text" && utf8.RuneCountInString(m.Text.Body) > MaxTextRunes
	if m.Extension == nil && !split && !hasExtensionKey(raw) {
		return p, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, badRequest("the request body is not a JSON object")
	}
	delete(fields, ExtensionField)
	p.changed = true
	p.address = addressOf(fields)
	if !split {
		p.parts = [][]byte{mustMarshal(fields)}
		return p, nil
	}
	p.texts = SplitText(m.Text.Body, MaxTextRunes)
	if len(p.texts) == 0 {
		return nil, invalid("text.body is only whitespace")
	}
	p.parts = make([][]byte, len(p.texts))
	for i, t := range p.texts {
		f := copyFields(fields)
		f["text"] = mustMarshal(textBody{Body: t, PreviewURL: m.Text.PreviewURL})
		if i > 0 {
			delete(f, "context") // only the first part replies to the message
		}
		p.parts[i] = mustMarshal(f)
	}
	return p, nil
}

// hasExtensionKey catches an extension field that decoded to null.
func hasExtensionKey(raw []byte) bool {
	return bytes.Contains(raw, []byte(`"`+ExtensionField+`"`))
}

// remainingText is the text not delivered when part failed: the parts
// from it on, or the whole fallback text when nothing was split.
func (p *plan) remainingText(failed int) string {
	if len(p.texts) == 0 {
		return p.fallbackText
	}
	out := p.texts[failed]
	for _, t := range p.texts[failed+1:] {
		out += " " + t
	}
	return out
}

// fallbackParts are the template bodies that carry text through tmpl, in
// parts of at most FallbackPartRunes.
func (p *plan) fallbackParts(raw []byte, tmpl fallbackTemplate, text string) [][]byte {
	address := p.address
	if address == nil {
		var fields map[string]json.RawMessage
		_ = json.Unmarshal(raw, &fields)
		address = addressOf(fields)
	}
	texts := SplitText(templateParameter(text), FallbackPartRunes)
	out := make([][]byte, len(texts))
	for i, t := range texts {
		param := map[string]string{"type": "text", "text": t}
		if tmpl.Named {
			param["parameter_name"] = FallbackVariable
		}
		body := copyFields(address)
		body["messaging_product"] = json.RawMessage(`"whatsapp"`)
		body["type"] = json.RawMessage(`"template"`)
		body["template"] = mustMarshal(map[string]any{
			"name":     tmpl.Name,
			"language": map[string]string{"code": tmpl.Language},
			"components": []any{map[string]any{
				"type": "body", "parameters": []any{param},
			}},
		})
		out[i] = mustMarshal(body)
	}
	return out
}

// addressOf keeps the fields that say who a message goes to.
func addressOf(fields map[string]json.RawMessage) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for _, k := range []string{"to", "recipient", "recipient_type"} {
		if v, ok := fields[k]; ok {
			out[k] = v
		}
	}
	return out
}

func copyFields(in map[string]json.RawMessage) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(in)+2)
	for k, v := range in {
		out[k] = v
	}
	return out
}

// mustMarshal marshals values that always marshal (maps of raw JSON,
// strings).
func mustMarshal(v any) json.RawMessage {
	out, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return out
}
