package relay

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// templateSent is what Meta got of one template send.
type templateSent struct {
	To       string `json:"to"`
	Type     string `json:"type"`
	Template struct {
		Name     string `json:"name"`
		Language struct {
			Code string `json:"code"`
		} `json:"language"`
		Components []struct {
			Parameters []struct {
				ParameterName string `json:"parameter_name"`
				Text          string `json:"text"`
			} `json:"parameters"`
		} `json:"components"`
	} `json:"template"`
}

// TestWindowFallsBackToNewBotMessage: outside the window (131047) a 2,500
// character text goes out as new_bot_message in 974-character parts, in
// the provider's language, with the variable the synced template has.
func TestWindowFallsBackToNewBotMessage(t *testing.T) {
	t.Parallel()
	for name, format := range map[string]string{"Named": whatsappv1alpha1.ParameterFormatNamed, "Positional": whatsappv1alpha1.ParameterFormatPositional} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			variable := "{{1}}"
			if format == whatsappv1alpha1.ParameterFormatNamed {
				variable = "{{bot_message}}"
			}
			h := startHarness(t, setup{before: func(h *harness) {
				h.createTemplate(FallbackTemplateName, "en", format, "New message: "+variable+" (reply to continue)", "APPROVED")
			}})
			must(t, h.sim.CloseWindow(testPNID, testRecipient))
			long := strings.Repeat("The parcel left our warehouse\nand is on its way. ", 60)[:2500]
			a := h.send(testPNID, text(long))
			if a.status != http.StatusOK || a.header.Get(HeaderFallback) != FallbackTemplateName {
				t.Fatalf("got %d %s (fallback header %q)", a.status, a.raw, a.header.Get(HeaderFallback))
			}
			sent := h.sim.SentMessages(testPNID)
			if len(sent) != 3 {
				t.Fatalf("Meta accepted %d messages, want 3 template parts (2,500 characters in parts of 974)", len(sent))
			}
			var texts []string
			for i, m := range sent {
				var b templateSent
				must(t, json.Unmarshal(m.Body, &b))
				p := b.Template.Components[0].Parameters[0]
				if b.Type != "template" || b.Template.Name != FallbackTemplateName || b.Template.Language.Code != "en" || b.To != testRecipient {
					t.Errorf("part %d: %s", i, m.Body)
				}
				if (p.ParameterName == FallbackVariable) != (format == whatsappv1alpha1.ParameterFormatNamed) {
					t.Errorf("part %d: parameter_name %q for a %s template", i, p.ParameterName, format)
				}
				if utf8.RuneCountInString(p.Text) > FallbackPartRunes {
					t.Errorf("part %d has %d characters, at most %d", i, utf8.RuneCountInString(p.Text), FallbackPartRunes)
				}
				texts = append(texts, p.Text)
			}
			if strings.Join(texts, " ") != strings.Join(strings.Fields(long), " ") {
				t.Error("the template parts do not carry the whole text in order")
			}
			if got := a.wamids(); len(got) != 3 || got[0] != sent[0].ID || got[2] != sent[2].ID {
				t.Errorf("the answer lists %v, want the three template wamids in order", got)
			}
			if n := counter(h.reg, "whatsapp_relay_fallbacks_total", map[string]string{"result": "sent"}); n != 1 {
				t.Errorf("fallbacks_total{result=sent} = %v", n)
			}
		})
	}
}

// TestWindowWithoutTemplateSaysWhatIsMissing: no usable new_bot_message
// means Meta's 131047 for the chatbot, with a message naming the template,
// and nothing else sent.
func TestWindowWithoutTemplateSaysWhatIsMissing(t *testing.T) {
	t.Parallel()
	h := startHarness(t, setup{before: func(h *harness) {
		h.createTemplate(FallbackTemplateName, "en", whatsappv1alpha1.ParameterFormatNamed, "New message: {{bot_message}} (reply to continue)", "PENDING")
	}})
	must(t, h.sim.CloseWindow(testPNID, ""))
	a := h.send(testPNID, text("hello"))
	if a.status != http.StatusBadRequest || a.errCode() != 131047 {
		t.Fatalf("got %d %s, want Meta's 131047", a.status, a.raw)
	}
	for _, want := range []string{`MessageTemplate "new_bot_message" in language "en"`, "is not APPROVED at Meta (PENDING)"} {
		if !strings.Contains(a.errMessage(), want) {
			t.Errorf("the error does not say %q: %s", want, a.errMessage())
		}
	}
	if e := a.body["error"].(map[string]any); strings.HasPrefix(e["fbtrace_id"].(string), "relay-") {
		t.Error("Meta's fbtrace_id is kept")
	}
	if n := len(h.sim.SentMessages(testPNID)); n != 0 {
		t.Errorf("%d messages went out", n)
	}
	if n := counter(h.reg, "whatsapp_relay_fallbacks_total", map[string]string{"result": "no_template"}); n != 1 {
		t.Errorf("fallbacks_total{result=no_template} = %v", n)
	}
}

// TestVoiceFallsBackToItsText: an audio reply carries its text in the
// x_relay extension, which Meta never sees; in the window the audio goes
// out, outside it the text goes through the template.
func TestVoiceFallsBackToItsText(t *testing.T) {
	t.Parallel()
	h := startHarness(t, setup{before: func(h *harness) {
		h.createTemplate(FallbackTemplateName, "en", whatsappv1alpha1.ParameterFormatNamed, "New message: {{bot_message}} (reply to continue)", "APPROVED")
	}})
	voice := map[string]any{"messaging_product": "whatsapp", "to": testRecipient, "type": "audio", "audio": map[string]any{"id": "4490709327384033"},
		ExtensionField: map[string]any{"fallback_text": "Your order 4521 has shipped."}}
	if a := h.send(testPNID, voice); a.status != http.StatusOK {
		t.Fatalf("in the window: %d %s", a.status, a.raw)
	}
	sent := h.sim.SentMessages(testPNID)
	if len(sent) != 1 || sent[0].Type != "audio" || strings.Contains(string(sent[0].Body), ExtensionField) {
		t.Fatalf("in the window the audio goes out without the extension: %+v", sent)
	}
	must(t, h.sim.CloseWindow(testPNID, testRecipient))
	a := h.send(testPNID, voice)
	if a.status != http.StatusOK || a.header.Get(HeaderFallback) != FallbackTemplateName {
		t.Fatalf("outside the window: %d %s", a.status, a.raw)
	}
	sent = h.sim.SentMessages(testPNID)
	var b templateSent
	must(t, json.Unmarshal(sent[len(sent)-1].Body, &b))
	if len(sent) != 2 || b.Template.Components[0].Parameters[0].Text != "Your order 4521 has shipped." {
		t.Errorf("outside the window the voice's text goes through the template: %s", sent[len(sent)-1].Body)
	}
	// Without a text there is nothing to fall back to: Meta's 131047 as is.
	delete(voice, ExtensionField)
	if a := h.send(testPNID, voice); a.errCode() != 131047 {
		t.Errorf("audio without text outside the window: %d %s", a.status, a.raw)
	}
}
