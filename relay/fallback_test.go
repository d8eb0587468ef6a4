package relay

import (
	"encoding/json"
	"strings"
	"testing"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

func fallbackProvider(lang string) *whatsappv1alpha1.MetaProvider {
	p := &whatsappv1alpha1.MetaProvider{}
	p.Name = "acme"
	p.Spec.TemplateLanguage = lang
	return p
}

func botTemplate(name, lang, format, body, status string) whatsappv1alpha1.MessageTemplate {
	t := whatsappv1alpha1.MessageTemplate{}
	t.Name = strings.ReplaceAll(name, "_", "-")
	t.Spec.ProviderRef.Name = "acme"
	t.Spec.Name = name
	t.Spec.Language = lang
	t.Spec.ParameterFormat = format
	t.Spec.Body.Text = body
	t.Status.ApprovalStatus = status
	return t
}

func TestFallbackTemplateProblem(t *testing.T) {
	named := botTemplate("new_bot_message", "en", "NAMED", "New message: {{bot_message}}", "APPROVED")
	cases := map[string]struct {
		reason    string
		lang      string
		templates []whatsappv1alpha1.MessageTemplate
		wantIn    string // "" means usable
		wantNamed bool
	}{
		"Named":      {reason: "an approved NAMED template with {{bot_message}}", lang: "en", templates: []whatsappv1alpha1.MessageTemplate{named}, wantNamed: true},
		"Positional": {reason: "an approved POSITIONAL template with {{1}}", lang: "de", templates: []whatsappv1alpha1.MessageTemplate{botTemplate("new_bot_message", "de", "", "Neue Nachricht: {{1}}", "APPROVED")}},
		"DefaultEn":  {reason: "no templateLanguage means en", lang: "", templates: []whatsappv1alpha1.MessageTemplate{named}, wantNamed: true},
		"Missing":    {reason: "no template at all", lang: "en", wantIn: `MessageTemplate "new_bot_message" in language "en" (spec.templateLanguage of MetaProvider acme) does not exist`},
		"OtherLang":  {reason: "only in another language", lang: "fr", templates: []whatsappv1alpha1.MessageTemplate{named}, wantIn: "does not exist (only in en)"},
		"Pending":    {reason: "not approved yet", lang: "en", templates: []whatsappv1alpha1.MessageTemplate{botTemplate("new_bot_message", "en", "NAMED", "New: {{bot_message}}", "PENDING")}, wantIn: "is not APPROVED at Meta (PENDING)"},
		"Rejected":   {reason: "rejected", lang: "en", templates: []whatsappv1alpha1.MessageTemplate{botTemplate("new_bot_message", "en", "NAMED", "New: {{bot_message}}", "REJECTED")}, wantIn: "(REJECTED)"},
		"TwoVars":    {reason: "one variable only", lang: "en", templates: []whatsappv1alpha1.MessageTemplate{botTemplate("new_bot_message", "en", "", "Hi {{1}}, {{2}}", "APPROVED")}, wantIn: "it has {{1}}, {{2}}"},
		"WrongName":  {reason: "a NAMED template must call it bot_message", lang: "en", templates: []whatsappv1alpha1.MessageTemplate{botTemplate("new_bot_message", "en", "NAMED", "Hi {{text}}", "APPROVED")}, wantIn: "it has {{text}}"},
		"OtherProvider": {reason: "another provider's template does not count", lang: "en", templates: func() []whatsappv1alpha1.MessageTemplate {
			o := named
			o.Spec.ProviderRef.Name = "other"
			return []whatsappv1alpha1.MessageTemplate{o}
		}(), wantIn: "does not exist"},
		"StatusName": {reason: "the effective name comes from status.name", lang: "en", templates: func() []whatsappv1alpha1.MessageTemplate {
			o := named
			o.Spec.Name = ""
			o.Name = "bot-fallback"
			o.Status.Name = "new_bot_message"
			return []whatsappv1alpha1.MessageTemplate{o}
		}(), wantNamed: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tmpl, problem := findFallback(fallbackProvider(tc.lang), tc.templates)
			if got := FallbackTemplateProblem(fallbackProvider(tc.lang), tc.templates); got != problem {
				t.Errorf("FallbackTemplateProblem and findFallback disagree: %q vs %q", got, problem)
			}
			switch {
			case tc.wantIn == "" && problem != "":
				t.Errorf("%s: %s", tc.reason, problem)
			case tc.wantIn != "" && !strings.Contains(problem, tc.wantIn):
				t.Errorf("%s: problem %q does not say %q", tc.reason, problem, tc.wantIn)
			case tc.wantIn == "" && tmpl.Named != tc.wantNamed:
				t.Errorf("%s: named = %v", tc.reason, tmpl.Named)
			}
		})
	}
}

func TestFallbackPartsCarryTheText(t *testing.T) {
	raw := []byte(`{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","context":{"message_id":"wamid.IN"},"text":{"body":"x"}}`)
	p, _ := planMessage(raw, MaxTextRunes)
	text := strings.Repeat("lorem ipsum\ndolor ", 120) // 2,160 characters with newlines
	for _, named := range []bool{true, false} {
		bodies := p.fallbackParts(raw, fallbackTemplate{Name: "new_bot_message", Language: "en", Named: named}, text)
		if len(bodies) != 3 {
			t.Fatalf("2,160 characters are 3 template parts of at most 974, got %d", len(bodies))
		}
		var joined []string
		for _, b := range bodies {
			var m struct {
				To       string          `json:"to"`
				Type     string          `json:"type"`
				Context  json.RawMessage `json:"context"`
				Template struct {
					Name       string `json:"name"`
					Components []struct {
						Parameters []struct {
							ParameterName string `json:"parameter_name"`
							Text          string `json:"text"`
						} `json:"parameters"`
					} `json:"components"`
				} `json:"template"`
			}
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			param := m.Template.Components[0].Parameters[0]
			if m.To != "16505551234" || m.Type != "template" || m.Template.Name != "new_bot_message" || m.Context != nil {
				t.Errorf("a template part goes to the same recipient, without reply context: %s", b)
			}
			if (param.ParameterName == "bot_message") != named || runes(param.Text) > FallbackPartRunes || strings.ContainsAny(param.Text, "\n\t") {
				t.Errorf("named=%v: parameter %q (%d characters)", named, param.ParameterName, runes(param.Text))
			}
			joined = append(joined, param.Text)
		}
		if strings.Join(joined, " ") != templateParameter(text) {
			t.Error("the parts do not carry the whole text in order")
		}
	}
}
