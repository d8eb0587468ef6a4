package controllers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

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
	return graph.TemplateSpec{
		Name:            t.TemplateName(),
		Language:        t.Spec.Language,
		Category:        t.Spec.Category,
		ParameterFormat: format,
		Components:      comps,
	}
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
// Only the text parts are compared: Meta does not always echo examples.
func sameComponents(live, want []graph.Component) bool {
	return equality.Semantic.DeepEqual(textOnly(live), textOnly(want))
}

func textOnly(cs []graph.Component) []graph.Component {
	out := make([]graph.Component, 0, len(cs))
	for _, c := range cs {
		c.Example = nil
		bs := make([]graph.Button, 0, len(c.Buttons))
		for _, b := range c.Buttons {
			b.Example = nil
			bs = append(bs, b)
		}
		if len(bs) == 0 {
			bs = nil
		}
		c.Buttons = bs
		out = append(out, c)
	}
	return out
}
