package relay

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzPlanMessage feeds arbitrary bodies to the request parsing and the
// limit checks. It must never panic; an accepted body yields parts that
// are JSON objects without the extension field, each text part within
// 4096 characters, and a refusal is a 400 naming something.
func FuzzPlanMessage(f *testing.F) {
	for _, s := range []string{
		`{"messaging_product":"whatsapp","to":"16505551234","type":"text","text":{"body":"hi"}}`,
		`{"messaging_product":"whatsapp","to":"16505551234","text":{"body":"` + string(make([]byte, 0)) + `a b c"},"x_relay":{"fallback_text":"t"}}`,
		`{"messaging_product":"whatsapp","to":"16505551234","type":"interactive","interactive":{"type":"list","body":{"text":"b"},"action":{"button":"x","sections":[{"title":"s","rows":[{"id":"1","title":"r"}]}]}}}`,
		`{"messaging_product":"whatsapp","to":"16505551234","type":"interactive","interactive":{"type":"button","body":{"text":"b"},"action":{"buttons":[{"type":"reply","reply":{"id":"1","title":"t"}}]}}}`,
		`{"messaging_product":"whatsapp","recipient":"US.1349","type":"image","image":{"link":"https://x.example/a.png","caption":"c"}}`,
		`{"messaging_product":"whatsapp","status":"read","message_id":"wamid.X"}`,
		`{"messaging_product":"whatsapp","to":"1","x_relay":null}`, `[]`, `null`, `{"text":{"body":1}}`, ``,
	} {
		f.Add([]byte(s), 3)
	}
	f.Fuzz(func(t *testing.T, body []byte, parts int) {
		maxRunes := (1 + abs(parts)%4) * MaxTextRunes
		p, merr := planMessage(body, maxRunes)
		if merr != nil {
			if merr.status != 400 || merr.message == "" || p != nil {
				t.Fatalf("a refusal is a 400 with a message: %+v", merr)
			}
			return
		}
		if len(p.parts) == 0 {
			t.Fatal("an accepted body has at least one part")
		}
		for _, part := range p.parts {
			var m map[string]json.RawMessage
			if err := json.Unmarshal(part, &m); err != nil {
				t.Fatalf("part is not a JSON object: %v", err)
			}
			if _, ok := m[ExtensionField]; ok && p.changed {
				t.Fatal("the extension reached a part")
			}
			if p.kind == "text" && len(p.parts) > 1 {
				var tb textBody
				_ = json.Unmarshal(m["text"], &tb)
				if utf8.RuneCountInString(tb.Body) > MaxTextRunes || tb.Body == "" {
					t.Fatalf("a text part has %d characters", utf8.RuneCountInString(tb.Body))
				}
			}
		}
		if p.fallbackText != "" {
			for _, b := range p.fallbackParts(body, fallbackTemplate{Name: FallbackTemplateName, Language: "en", Named: true}, p.remainingText(0)) {
				if !json.Valid(b) {
					t.Fatal("a fallback part is not JSON")
				}
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
