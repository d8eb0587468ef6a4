package webhookserver

import (
	"encoding/json"
	"testing"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// FuzzParseAndRoute feeds arbitrary bodies to the parser and the router.
// Seeds: every fixture scenario of testdata/meta-webhooks plus edge cases.
// Invariants: no panic; every delivery is valid JSON in Meta's envelope
// shape and holds only changes of its own phone number; replaying the same
// body after its deliveries were recorded delivers nothing (a retried batch
// never reaches a chatbot twice).
func FuzzParseAndRoute(f *testing.F) {
	for _, fx := range loadFixtures(f) {
		f.Add(fx.body)
	}
	for _, s := range []string{
		`{"object":"whatsapp_business_account","entry":[{"id":1,"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":1122334455667},"messages":[{"id":"a"},{"id":"a"},5,null]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1122334455667"},"messages":7,"statuses":[{"id":"s","status":"read"}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1122334455667"},"messages":[],"messages":[{"id":"b"}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":null},{"value":[]},{}]},{}]}`,
		`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"message_template_status_update","value":{"message_template_id":{"x":1}}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"555","display_phone_number":"+1 202 555 0100"}}}]}]}`,
		`{"object":"whatsapp_business_account"}`,
		`[]`, `""`, `{"entry":[]}`,
	} {
		f.Add([]byte(s))
	}
	bot := urlBot("http://127.0.0.1:1/")
	channels := []whatsappv1alpha1.WhatsAppChannel{newChannel("pending", "+12025550100", "", bot)}
	for i, pnid := range fixturePhoneNumberIDs {
		channels = append(channels, newChannel("ch"+string(rune('a'+i)), "+1555000000"+string(rune('0'+i)), pnid, bot))
	}
	table := BuildRouteTable(1, testProviderObject(), channels)

	f.Fuzz(func(t *testing.T, body []byte) {
		env, err := ParseEnvelope(body)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		isSeen := func(k string) bool { return seen[k] }
		plan := planBatch(env, table, isSeen)
		for _, d := range plan.deliveries {
			out := d.body(env.Object)
			if !json.Valid(out) {
				t.Fatalf("delivery is not valid JSON: %s", out)
			}
			fwd, err := ParseEnvelope(out)
			if err != nil {
				t.Fatalf("delivery is not an envelope: %v: %s", err, out)
			}
			n := 0
			for _, e := range fwd.Entry {
				for _, c := range e.Changes {
					n++
					if got := parseValueHeader(c.Value).phoneNumberID(); got != d.route.PhoneNumberID {
						t.Fatalf("delivery for %q holds a change of %q: %s", d.route.PhoneNumberID, got, out)
					}
				}
			}
			if n == 0 || n != d.changes {
				t.Fatalf("delivery holds %d changes, planned %d", n, d.changes)
			}
			for _, k := range d.keys {
				seen[k] = true
			}
		}
		if again := planBatch(env, table, isSeen); len(again.deliveries) != 0 {
			t.Fatalf("replaying a delivered batch delivers again: %d deliveries", len(again.deliveries))
		}
	})
}
