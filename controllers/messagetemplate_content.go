package controllers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// desiredTemplate turns a MessageTemplate spec into what Meta is sent.
func desiredTemplate(t *whatsappv1alpha1.MessageTemplate) graph.TemplateSpec {
	format := t.Spec.ParameterFormat
	if format == "" {
		format = whatsappv1alpha1.ParameterFormatPositional
	}
	named := format == whatsappv1alpha1.ParameterFormatNamed
	var comps []graph.Component
	if a := t.Spec.Authentication; a != nil {
		comps = authenticationComponents(a)
	} else {
		comps = contentComponents(t, named)
	}
	return graph.TemplateSpec{
		Name:            t.TemplateName(),
		Language:        t.Spec.Language,
		Category:        t.Spec.Category,
		ParameterFormat: format,
		Components:      comps,
	}
}

// contentComponents are a UTILITY or MARKETING template's components.
func contentComponents(t *whatsappv1alpha1.MessageTemplate, named bool) []graph.Component {
	var comps []graph.Component
	if h := t.Spec.Header; h != nil {
		comps = append(comps, headerComponent(h, named))
	}
	comps = append(comps, bodyComponent(&t.Spec.Body, named))
	if f := t.Spec.Footer; f != nil {
		comps = append(comps, graph.Component{Type: "FOOTER", Text: f.Text})
	}
	if len(t.Spec.Buttons) > 0 {
		c := graph.Component{Type: "BUTTONS"}
		for _, b := range t.Spec.Buttons {
			gb := graph.Button{Type: b.Type, Text: b.Text, URL: b.URL, PhoneNumber: b.PhoneNumber}
			if b.Example != "" {
				gb.Example = []string{b.Example}
			}
			c.Buttons = append(c.Buttons, gb)
		}
		comps = append(comps, c)
	}
	return comps
}

// authenticationComponents are an AUTHENTICATION template's components:
// no text of ours (Meta writes "<code> is your verification code."), the
// optional sentences, and the one OTP button.
func authenticationComponents(a *whatsappv1alpha1.TemplateAuthentication) []graph.Component {
	body := graph.Component{Type: "BODY"}
	if a.AddSecurityRecommendation {
		yes := true
		body.AddSecurityRecommendation = &yes
	}
	comps := []graph.Component{body}
	if a.CodeExpirationMinutes != nil {
		minutes := int(*a.CodeExpirationMinutes)
		comps = append(comps, graph.Component{Type: "FOOTER", CodeExpirationMinutes: &minutes})
	}
	otp := graph.Button{Type: graph.ButtonOTP, OTPType: a.OTP.Type, Text: a.OTP.Text, AutofillText: a.OTP.AutofillText}
	if a.OTP.ZeroTapTermsAccepted {
		yes := true
		otp.ZeroTapTermsAccepted = &yes
	}
	for _, app := range a.OTP.SupportedApps {
		otp.SupportedApps = append(otp.SupportedApps, graph.SupportedApp{PackageName: app.PackageName, SignatureHash: app.SignatureHash})
	}
	return append(comps, graph.Component{Type: "BUTTONS", Buttons: []graph.Button{otp}})
}

func headerComponent(h *whatsappv1alpha1.TemplateHeader, named bool) graph.Component {
	c := graph.Component{Type: "HEADER", Format: h.Format, Text: h.Text}
	switch {
	case h.ExampleURL != "":
		// Meta's reviewers need a sample of the media.
		c.Example = &graph.ComponentExample{HeaderHandle: []string{h.ExampleURL}}
	case named && len(h.NamedExamples) > 0:
		c.Example = &graph.ComponentExample{HeaderTextNamedParams: namedParams(h.NamedExamples)}
	case !named && len(h.Examples) > 0:
		c.Example = &graph.ComponentExample{HeaderText: append([]string(nil), h.Examples...)}
	}
	return c
}

func bodyComponent(b *whatsappv1alpha1.TemplateBody, named bool) graph.Component {
	c := graph.Component{Type: "BODY", Text: b.Text}
	switch {
	case named && len(b.NamedExamples) > 0:
		c.Example = &graph.ComponentExample{BodyTextNamedParams: namedParams(b.NamedExamples)}
	case !named && len(b.Examples) > 0:
		// body_text is an array of arrays: one row of samples.
		c.Example = &graph.ComponentExample{BodyText: [][]string{append([]string(nil), b.Examples...)}}
	}
	return c
}

func namedParams(ex []whatsappv1alpha1.NamedExample) []graph.NamedParam {
	out := make([]graph.NamedParam, 0, len(ex))
	for _, e := range ex {
		out = append(out, graph.NamedParam{ParamName: e.Name, Example: e.Example})
	}
	return out
}

// contentHash identifies what an edit would change: category and components.
func contentHash(s graph.TemplateSpec) string {
	raw, _ := json.Marshal(struct {
		Category   string            `json:"category"`
		Components []graph.Component `json:"components"`
	}{s.Category, s.Components})
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:12])
}

// metaHolds tells whether the template at Meta already is what the spec
// asks for, so no edit is needed: same components and, unless Meta
// re-categorised an approved template, the same category. A REJECTED
// template is always resubmitted on a spec change: its examples may be
// what the reviewers refused.
func metaHolds(live *graph.Template, want graph.TemplateSpec) bool {
	if live.Status == graph.TemplateRejected {
		return false
	}
	return sameComponents(live.Components, want.Components) &&
		(live.Category == want.Category || live.Status == graph.TemplateApproved)
}

// sameComponents tells whether Meta holds the components we would send.
// Examples are not compared (Meta does not always echo them), nor text we
// leave to Meta (an AUTHENTICATION template's body, footer and button
// labels, which Meta fills in); enum values are compared regardless of case.
func sameComponents(live, want []graph.Component) bool {
	if len(live) != len(want) {
		return false
	}
	for i := range want {
		if !sameComponent(live[i], want[i]) {
			return false
		}
	}
	return true
}

func sameComponent(l, w graph.Component) bool {
	if !strings.EqualFold(l.Type, w.Type) || !strings.EqualFold(l.Format, w.Format) || !sameIfWanted(l.Text, w.Text) ||
		boolOf(l.AddSecurityRecommendation) != boolOf(w.AddSecurityRecommendation) ||
		intOf(l.CodeExpirationMinutes) != intOf(w.CodeExpirationMinutes) || len(l.Buttons) != len(w.Buttons) {
		return false
	}
	for i := range w.Buttons {
		lb, wb := l.Buttons[i], w.Buttons[i]
		if !strings.EqualFold(lb.Type, wb.Type) || !sameIfWanted(lb.Text, wb.Text) || lb.URL != wb.URL || lb.PhoneNumber != wb.PhoneNumber ||
			!strings.EqualFold(lb.OTPType, wb.OTPType) || !sameIfWanted(lb.AutofillText, wb.AutofillText) ||
			boolOf(lb.ZeroTapTermsAccepted) != boolOf(wb.ZeroTapTermsAccepted) || !equality.Semantic.DeepEqual(appsOf(lb), appsOf(wb)) {
			return false
		}
	}
	return true
}

// sameIfWanted compares a text we send; one we leave empty is Meta's.
func sameIfWanted(live, want string) bool { return want == "" || live == want }

func boolOf(b *bool) bool { return b != nil && *b }

func intOf(i *int) int {
	if i == nil {
		return 0
	}
	return *i
}

func appsOf(b graph.Button) []graph.SupportedApp {
	if len(b.SupportedApps) == 0 {
		return nil
	}
	return b.SupportedApps
}
