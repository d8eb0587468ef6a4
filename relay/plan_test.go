package relay

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestPlanRefusesWhatWhatsAppRefuses(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	buttons := func(n int, title string) string {
		var b []string
		for i := range n {
			b = append(b, `{"type":"reply","reply":{"id":"b`+string(rune('0'+i))+`","title":"`+title+`"}}`)
		}
		return `{"messaging_product":"whatsapp","to":"16505551234","type":"interactive","interactive":{"type":"button","body":{"text":"Pick"},"action":{"buttons":[` + strings.Join(b, ",") + `]}}}`
	}
	list := func(rows int, rowTitle, desc, sectionTitle, button string) string {
		var r []string
		for i := range rows {
			r = append(r, `{"id":"r`+string(rune('a'+i))+`","title":"`+rowTitle+`","description":"`+desc+`"}`)
		}
		return `{"messaging_product":"whatsapp","to":"16505551234","type":"interactive","interactive":{"type":"list","body":{"text":"Pick"},"action":{"button":"` + button + `","sections":[{"title":"` + sectionTitle + `","rows":[` + strings.Join(r, ",") + `]}]}}}`
	}
	cases := map[string]struct {
		reason string
		body   string
		wantIn string // in the error message; "" means accepted
	}{
		"Text":              {reason: "a plain text is accepted", body: `{"messaging_product":"whatsapp","to":"+1 650-555-1234","type":"text","text":{"body":"hi"}}`},
		"NoProduct":         {reason: "messaging_product is required", body: `{"to":"16505551234","type":"text","text":{"body":"hi"}}`, wantIn: "messaging_product"},
		"NoRecipient":       {reason: "a message needs to or recipient", body: `{"messaging_product":"whatsapp","type":"text","text":{"body":"hi"}}`, wantIn: "parameter to is required"},
		"BadPhone":          {reason: "to must be a phone number", body: `{"messaging_product":"whatsapp","to":"call me","type":"text","text":{"body":"hi"}}`, wantIn: "to \"call me\" is not a phone number"},
		"BSUID":             {reason: "a business-scoped user id goes in recipient", body: `{"messaging_product":"whatsapp","recipient":"US.13491208655302741918","type":"text","text":{"body":"hi"}}`},
		"BadBSUID":          {reason: "recipient must look like a BSUID", body: `{"messaging_product":"whatsapp","recipient":"../../x","type":"text","text":{"body":"hi"}}`, wantIn: "recipient"},
		"EmptyText":         {reason: "text needs a body", body: `{"messaging_product":"whatsapp","to":"16505551234","type":"text","text":{"body":""}}`, wantIn: "text.body"},
		"TextTooLong":       {reason: "the relay splits up to its bound, no further", body: `{"messaging_product":"whatsapp","to":"16505551234","text":{"body":"` + long(5*4096+1) + `"}}`, wantIn: "text.body has 20481 characters"},
		"Caption":           {reason: "captions are at most 1024", body: `{"messaging_product":"whatsapp","to":"16505551234","type":"image","image":{"id":"1","caption":"` + long(1025) + `"}}`, wantIn: "image.caption has 1025 characters, at most 1024"},
		"MediaBoth":         {reason: "id or link, not both", body: `{"messaging_product":"whatsapp","to":"16505551234","type":"video","video":{"id":"1","link":"https://x.example/v.mp4"}}`, wantIn: "video has both id and link"},
		"MediaNone":         {reason: "id or link is required", body: `{"messaging_product":"whatsapp","to":"16505551234","type":"document","document":{}}`, wantIn: "document.id"},
		"LinkScheme":        {reason: "a link Meta can fetch", body: `{"messaging_product":"whatsapp","to":"16505551234","type":"image","image":{"link":"file:///etc/passwd"}}`, wantIn: "image.link must be an absolute http(s) URL"},
		"Buttons3":          {reason: "three reply buttons are fine", body: buttons(3, "Yes")},
		"Buttons4":          {reason: "at most 3 reply buttons", body: buttons(4, "Yes"), wantIn: "interactive.action.buttons has 4 buttons, at most 3"},
		"ButtonTitle":       {reason: "button titles at most 20", body: buttons(1, long(21)), wantIn: "interactive.action.buttons[0].reply.title has 21 characters, 1 to 20"},
		"List10":            {reason: "ten rows are fine", body: list(10, "Row", "d", "S", "Open")},
		"List11":            {reason: "at most 10 rows", body: list(11, "Row", "d", "S", "Open"), wantIn: "11 rows in all, 1 to 10"},
		"RowTitle":          {reason: "row titles at most 24", body: list(1, long(25), "d", "S", "Open"), wantIn: "rows[0].title has 25 characters, 1 to 24"},
		"RowDescription":    {reason: "row descriptions at most 72", body: list(1, "Row", long(73), "S", "Open"), wantIn: "rows[0].description has 73 characters, at most 72"},
		"SectionTitle":      {reason: "section titles at most 24", body: list(1, "Row", "d", long(25), "Open"), wantIn: "sections[0].title has 25 characters, at most 24"},
		"ListButton":        {reason: "the list button at most 20", body: list(1, "Row", "d", "S", long(21)), wantIn: "interactive.action.button has 21 characters, 1 to 20"},
		"InteractiveBody":   {reason: "interactive body at most 1024", body: `{"messaging_product":"whatsapp","to":"16505551234","type":"interactive","interactive":{"type":"cta_url","body":{"text":"` + long(1025) + `"}}}`, wantIn: "interactive.body.text has 1025 characters, at most 1024"},
		"Header":            {reason: "header at most 60", body: `{"messaging_product":"whatsapp","to":"16505551234","type":"interactive","interactive":{"type":"cta_url","header":{"type":"text","text":"` + long(61) + `"}}}`, wantIn: "interactive.header.text has 61 characters, at most 60"},
		"Footer":            {reason: "footer at most 60", body: `{"messaging_product":"whatsapp","to":"16505551234","type":"interactive","interactive":{"type":"cta_url","footer":{"text":"` + long(61) + `"}}}`, wantIn: "interactive.footer.text has 61 characters, at most 60"},
		"Reaction":          {reason: "a reaction names its message", body: `{"messaging_product":"whatsapp","to":"16505551234","type":"reaction","reaction":{"emoji":"👍"}}`, wantIn: "reaction.message_id"},
		"Template":          {reason: "a template names its language", body: `{"messaging_product":"whatsapp","to":"16505551234","type":"template","template":{"name":"x"}}`, wantIn: "template.language.code"},
		"MarkRead":          {reason: "a read receipt needs no recipient", body: `{"messaging_product":"whatsapp","status":"read","message_id":"wamid.X"}`},
		"NotJSON":           {reason: "a body that is not JSON", body: `{"messaging_product":`, wantIn: "not a JSON object"},
		"UnknownTypePassed": {reason: "types the relay does not know are Meta's to judge", body: `{"messaging_product":"whatsapp","to":"16505551234","type":"order_details","order_details":{}}`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, merr := planMessage([]byte(tc.body), 4*MaxTextRunes)
			switch {
			case tc.wantIn == "" && merr != nil:
				t.Errorf("%s: refused: %v", tc.reason, merr)
			case tc.wantIn != "" && merr == nil:
				t.Errorf("%s: accepted", tc.reason)
			case tc.wantIn != "" && !strings.Contains(merr.message, tc.wantIn):
				t.Errorf("%s: message %q does not name %q", tc.reason, merr.message, tc.wantIn)
			case tc.wantIn != "" && merr.status != 400:
				t.Errorf("%s: status %d, want 400", tc.reason, merr.status)
			}
		})
	}
}

func TestPlanForwardsUntouchedOrRebuilds(t *testing.T) {
	raw := []byte(`{"messaging_product":"whatsapp","to":"16505551234","type":"text","text":{"body":"hi"}}`)
	p, merr := planMessage(raw, MaxTextRunes)
	if merr != nil || p.changed || string(p.parts[0]) != string(raw) {
		t.Errorf("a body the relay does not change is forwarded byte for byte: %v %q", merr, p.parts)
	}
	ext := []byte(`{"messaging_product":"whatsapp","to":"16505551234","type":"audio","audio":{"id":"77"},"x_relay":{"fallback_text":"Your order shipped"}}`)
	p, merr = planMessage(ext, MaxTextRunes)
	if merr != nil || strings.Contains(string(p.parts[0]), "x_relay") || p.fallbackText != "Your order shipped" {
		t.Errorf("the extension is read and removed before Meta sees the body: %v %s", merr, p.parts[0])
	}
	split := []byte(`{"messaging_product":"whatsapp","to":"16505551234","context":{"message_id":"wamid.IN"},"text":{"body":"` + strings.Repeat("word ", 2000) + `"}}`)
	p, merr = planMessage(split, 4*MaxTextRunes)
	if merr != nil || len(p.parts) != 3 {
		t.Fatalf("10,000 characters are 3 parts: %v, %d", merr, len(p.parts))
	}
	for i, part := range p.parts {
		var m map[string]json.RawMessage
		_ = json.Unmarshal(part, &m)
		if _, ok := m["context"]; ok != (i == 0) {
			t.Errorf("part %d: only the first part replies to the message (context present: %v)", i, ok)
		}
	}
}

func TestRecipientKeys(t *testing.T) {
	key := func(body string) string {
		p, merr := planMessage([]byte(body), MaxTextRunes)
		if merr != nil {
			t.Fatal(merr)
		}
		return p.recipient
	}
	a := key(`{"messaging_product":"whatsapp","to":"+1 650-555-1234","text":{"body":"a"}}`)
	b := key(`{"messaging_product":"whatsapp","to":"16505551234","text":{"body":"b"}}`)
	if a != b {
		t.Errorf("one person written two ways shares a lane: %q vs %q", a, b)
	}
	r1 := key(`{"messaging_product":"whatsapp","status":"read","message_id":"wamid.1"}`)
	r2 := key(`{"messaging_product":"whatsapp","status":"read","message_id":"wamid.2"}`)
	if r1 == r2 || r1 == key(`{"messaging_product":"whatsapp","recipient":"US.1","text":{"body":"c"}}`) {
		t.Errorf("read receipts must not queue behind each other or behind a person: %q %q", r1, r2)
	}
}
