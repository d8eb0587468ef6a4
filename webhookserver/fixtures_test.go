package webhookserver

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// TestFixturesRoute replays every real-shaped payload of testdata/meta-webhooks
// through a server whose channels claim every phone number id in them. Each
// change with a phone number reaches the chatbot of that number, its value
// semantically equal to what Meta sent; template events nudge their template;
// everything is answered 200.
func TestFixturesRoute(t *testing.T) {
	for _, fx := range loadFixtures(t) {
		t.Run(fx.file+"/"+fx.scenario, func(t *testing.T) {
			bot := newChatbot(t)
			var channels []whatsappv1alpha1.WhatsAppChannel
			for i, pnid := range fixturePhoneNumberIDs {
				channels = append(channels, newChannel("ch"+string(rune('a'+i)), "+1555000000"+string(rune('0'+i)), pnid, urlBot(bot.srv.URL)))
			}
			ts := newTestServer(t, channels)
			provider := testProviderObject()
			provider.Spec.BusinessAccountID = "" // fixtures come from several WABAs
			ts.table.Store(BuildRouteTable(1, provider, channels))

			if code := postSigned(t, ts.url, fx.body); code != http.StatusOK {
				t.Fatalf("POST: got %d, want 200; logs:\n%s", code, ts.logs.String())
			}
			env, err := ParseEnvelope(fx.body)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string][]any{} // phone number id → values
			var wantTemplates []string
			for _, e := range env.Entry {
				for _, c := range e.Changes {
					h := parseValueHeader(c.Value)
					switch {
					case h.phoneNumberID() != "":
						want[h.phoneNumberID()] = append(want[h.phoneNumberID()], decode(t, c.Value))
					case templateFields[c.Field]:
						wantTemplates = append(wantTemplates, rawID(h.MessageTemplateID))
					}
				}
			}
			got := map[string][]any{}
			for _, r := range bot.requests() {
				fwd, err := ParseEnvelope(r.body)
				if err != nil {
					t.Fatalf("chatbot got invalid JSON: %v\n%s", err, r.body)
				}
				pnid := r.header.Get(HeaderPhoneNumberID)
				for _, e := range fwd.Entry {
					for _, c := range e.Changes {
						if h := parseValueHeader(c.Value); h.phoneNumberID() != pnid {
							t.Errorf("delivery for %s carries a change of %s", pnid, h.phoneNumberID())
						}
						got[pnid] = append(got[pnid], decode(t, c.Value))
					}
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("forwarded values: -want, +got:\n%s", diff)
			}
			ts.waitNudges(t)
			gotTemplates, _ := ts.requester.requested()
			if diff := cmp.Diff(wantTemplates, gotTemplates); diff != "" {
				t.Errorf("template reconcile requests: -want, +got:\n%s", diff)
			}
		})
	}
}

// decode unmarshals JSON for a semantic comparison.
func decode(t *testing.T, raw []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("invalid JSON: %v", err)
	}
	return v
}
