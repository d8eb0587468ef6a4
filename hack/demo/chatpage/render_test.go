package chatpage

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// orderUpdate is the demo's order_update template as Meta holds it.
var orderUpdate = []templateComponent{
	{Type: "HEADER", Format: "TEXT", Text: "Order {{1}}"},
	{Type: "BODY", Text: "Hi {{1}}, your order {{2}} has shipped."},
	{Type: "FOOTER", Text: "Acme Support"},
	{Type: "BUTTONS", Buttons: []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}{{Type: "URL", Text: "Track"}, {Type: "QUICK_REPLY", Text: "Stop updates"}}},
}

func lookupOnly(name, language string, comps []templateComponent) templateLookup {
	return func(n, l string) ([]templateComponent, bool) {
		if n == name && l == language {
			return comps, true
		}
		return nil, false
	}
}

func mediaAt(id string) string { return "/media/" + id }

// Each message the business sends shows as WhatsApp shows it.
func TestRenderSent(t *testing.T) {
	t.Parallel()
	lookup := lookupOnly("order_update", "en_US", orderUpdate)
	cases := []struct {
		name string
		body string
		want Bubble
	}{
		{"a text", `{"messaging_product":"whatsapp","to":"1","type":"text","text":{"body":"Echo: hi"}}`,
			Bubble{Kind: "text", Text: "Echo: hi"}},
		{"a text without a type (Meta's default)", `{"text":{"body":"hi"}}`,
			Bubble{Kind: "text", Text: "hi"}},
		{"an uploaded image shows, with its caption", `{"type":"image","image":{"id":"77","caption":"Your parcel"}}`,
			Bubble{Kind: "image", Text: "Your parcel", ImageURL: "/media/77"}},
		{"an image by link is never loaded by the page", `{"type":"image","image":{"link":"http://169.254.169.254/x.png"}}`,
			Bubble{Kind: "image", Note: "image by link: http://169.254.169.254/x.png"}},
		{"reply buttons are tappable choices", `{"type":"interactive","interactive":{"type":"button","header":{"type":"text","text":"Acme"},` +
			`"body":{"text":"How can we help?"},"footer":{"text":"Tap"},"action":{"buttons":[` +
			`{"type":"reply","reply":{"id":"track","title":"Track my order"}},{"type":"reply","reply":{"id":"photo","title":"Send a photo"}}]}}}`,
			Bubble{Kind: "buttons", Header: "Acme", Text: "How can we help?", Footer: "Tap",
				Buttons: []Choice{{Type: "reply", ID: "track", Title: "Track my order"}, {Type: "reply", ID: "photo", Title: "Send a photo"}}}},
		{"a list keeps its sections and rows", `{"type":"interactive","interactive":{"type":"list","body":{"text":"Pick"},` +
			`"action":{"button":"See topics","sections":[{"title":"Orders","rows":[{"id":"track","title":"Track","description":"Where?"}]}]}}}`,
			Bubble{Kind: "list", Text: "Pick", ListButton: "See topics",
				Sections: []Section{{Title: "Orders", Rows: []Choice{{ID: "track", Title: "Track", Description: "Where?"}}}}}},
		{"a template is filled with its parameters", `{"type":"template","template":{"name":"order_update","language":{"code":"en_US"},"components":[` +
			`{"type":"header","parameters":[{"type":"text","text":"#4521"}]},` +
			`{"type":"body","parameters":[{"type":"text","text":"Ana"},{"type":"text","text":"#4521"}]}]}}`,
			Bubble{Kind: "template", Template: "order_update", Header: "Order #4521", Text: "Hi Ana, your order #4521 has shipped.",
				Footer: "Acme Support", Buttons: []Choice{{Type: "URL", ID: "Track", Title: "Track"}, {Type: "QUICK_REPLY", ID: "Stop updates", Title: "Stop updates"}}}},
		{"a template Meta does not hold says so", `{"type":"template","template":{"name":"nope","language":{"code":"de"}}}`,
			Bubble{Kind: "template", Template: "nope", Text: "(template nope in de, unknown to the page)"}},
		{"another interactive type is named", `{"type":"interactive","interactive":{"type":"cta_url","body":{"text":"Visit"}}}`,
			Bubble{Kind: "other", Text: "Visit", Note: "an interactive cta_url message"}},
		{"another type is named", `{"type":"sticker","sticker":{"id":"1"}}`,
			Bubble{Kind: "other", Text: "(a sticker message)"}},
		{"a body that is not JSON does not break the page", `{"type":`,
			Bubble{Kind: "other", Text: "(a message the page cannot read)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := renderSent([]byte(c.body), lookup, mediaAt)
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("bubble (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFillVariables(t *testing.T) {
	t.Parallel()
	params := []parameter{{Text: "Ana"}, {Text: "#4521", ParameterName: "order"}}
	cases := map[string]string{
		"Hi {{1}}, order {{2}}":    "Hi Ana, order #4521",
		"Hi {{ 1 }}":               "Hi Ana",
		"Order {{order}}":          "Order #4521",
		"{{3}} and {{0}} stay":     "{{3}} and {{0}} stay",
		"{{first_name}} stays":     "{{first_name}} stays",
		"no variables":             "no variables",
		"{{99999999999999999999}}": "{{99999999999999999999}}",
	}
	for text, want := range cases {
		if got := fillVariables(text, params); got != want {
			t.Errorf("fillVariables(%q) = %q, want %q", text, got, want)
		}
	}
}

// Ticks only move forward, as on a phone: a late "sent" never undoes
// "read"; a failure always shows.
func TestTranscriptTicks(t *testing.T) {
	t.Parallel()
	tr := newTranscript()
	tr.put(Bubble{ID: "w1", Channel: "c", Ticks: ticksPending})
	steps := []struct {
		ticks       string
		wantChanged bool
		want        string
	}{
		{ticksDelivered, true, ticksDelivered},
		{ticksSent, false, ticksDelivered},
		{ticksRead, true, ticksRead},
		{ticksDelivered, false, ticksRead},
		{ticksFailed, true, ticksFailed},
	}
	for _, s := range steps {
		b, changed := tr.tick("w1", s.ticks, "")
		if changed != s.wantChanged || (changed && b.Ticks != s.want) {
			t.Fatalf("tick %s: changed=%v ticks=%q, want changed=%v ticks=%q", s.ticks, changed, b.Ticks, s.wantChanged, s.want)
		}
	}
	if _, changed := tr.tick("unknown", ticksRead, ""); changed {
		t.Error("a status for a message the page never showed changed a bubble")
	}
}

// A conversation is bounded: the oldest bubbles go.
func TestTranscriptBounded(t *testing.T) {
	t.Parallel()
	tr := newTranscript()
	for i := range maxBubbles + 10 {
		tr.put(Bubble{ID: string(rune('a'+i%26)) + string(rune(i)), Channel: "c"})
	}
	all := tr.all()
	if len(all) != maxBubbles {
		t.Fatalf("kept %d bubbles, want %d", len(all), maxBubbles)
	}
	if _, ok := tr.get(all[0].ID); !ok {
		t.Error("the oldest kept bubble cannot be found by id")
	}
}
