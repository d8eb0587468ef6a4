package chatpage

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// sendBody is what the page reads of a Meta send body.
type sendBody struct {
	Type string `json:"type"`
	Text struct {
		Body string `json:"body"`
	} `json:"text"`
	Image struct {
		ID      string `json:"id"`
		Link    string `json:"link"`
		Caption string `json:"caption"`
	} `json:"image"`
	Interactive struct {
		Type   string   `json:"type"`
		Header textPart `json:"header"`
		Body   textPart `json:"body"`
		Footer textPart `json:"footer"`
		Action struct {
			Button  string `json:"button"`
			Buttons []struct {
				Reply struct {
					ID    string `json:"id"`
					Title string `json:"title"`
				} `json:"reply"`
			} `json:"buttons"`
			Sections []struct {
				Title string   `json:"title"`
				Rows  []Choice `json:"rows"`
			} `json:"sections"`
		} `json:"action"`
	} `json:"interactive"`
	Template struct {
		Name     string `json:"name"`
		Language struct {
			Code string `json:"code"`
		} `json:"language"`
		Components []struct {
			Type       string      `json:"type"`
			Parameters []parameter `json:"parameters"`
		} `json:"components"`
	} `json:"template"`
}

type textPart struct {
	Text string `json:"text"`
}

type parameter struct {
	Type          string `json:"type"`
	Text          string `json:"text"`
	ParameterName string `json:"parameter_name"`
}

// templateComponent is one component of a template as Meta holds it.
type templateComponent struct {
	Type    string `json:"type"`
	Format  string `json:"format"`
	Text    string `json:"text"`
	Buttons []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"buttons"`
}

// templateLookup returns the components of template name in language, as
// Meta holds them.
type templateLookup func(name, language string) ([]templateComponent, bool)

// renderSent turns a message the business sent (Meta's send body) into the
// bubble WhatsApp shows the user. mediaURL maps a media id to where the
// page can load it.
func renderSent(raw []byte, lookup templateLookup, mediaURL func(id string) string) Bubble {
	var body sendBody
	if err := json.Unmarshal(raw, &body); err != nil {
		return Bubble{Kind: "other", Text: "(a message the page cannot read)"}
	}
	switch body.Type {
	case "text", "":
		return Bubble{Kind: "text", Text: body.Text.Body}
	case "image":
		b := Bubble{Kind: "image", Text: body.Image.Caption}
		if body.Image.ID != "" {
			b.ImageURL = mediaURL(body.Image.ID)
		} else {
			// A link is the bot's: the page does not load third-party URLs.
			b.Note = "image by link: " + body.Image.Link
		}
		return b
	case "interactive":
		return renderInteractive(body)
	case "template":
		return renderTemplate(body, lookup)
	}
	return Bubble{Kind: "other", Text: "(a " + body.Type + " message)"}
}

func renderInteractive(body sendBody) Bubble {
	in := body.Interactive
	b := Bubble{Header: in.Header.Text, Text: in.Body.Text, Footer: in.Footer.Text}
	switch in.Type {
	case "button":
		b.Kind = "buttons"
		for _, btn := range in.Action.Buttons {
			b.Buttons = append(b.Buttons, Choice{Type: "reply", ID: btn.Reply.ID, Title: btn.Reply.Title})
		}
	case "list":
		b.Kind, b.ListButton = "list", in.Action.Button
		for _, s := range in.Action.Sections {
			b.Sections = append(b.Sections, Section{Title: s.Title, Rows: s.Rows})
		}
	default:
		b.Kind, b.Note = "other", "an interactive "+in.Type+" message"
	}
	return b
}

// renderTemplate fills the template's header, body and footer with the
// message's parameters, as the user's phone shows it.
func renderTemplate(body sendBody, lookup templateLookup) Bubble {
	t := body.Template
	b := Bubble{Kind: "template", Template: t.Name}
	components, ok := lookup(t.Name, t.Language.Code)
	if !ok {
		b.Text = "(template " + t.Name + " in " + t.Language.Code + ", unknown to the page)"
		return b
	}
	params := map[string][]parameter{}
	for _, c := range t.Components {
		params[strings.ToLower(c.Type)] = c.Parameters
	}
	for _, c := range components {
		switch strings.ToUpper(c.Type) {
		case "HEADER":
			if c.Format == "" || strings.EqualFold(c.Format, "TEXT") {
				b.Header = fillVariables(c.Text, params["header"])
			}
		case "BODY":
			b.Text = fillVariables(c.Text, params["body"])
		case "FOOTER":
			b.Footer = c.Text
		case "BUTTONS":
			for _, btn := range c.Buttons {
				b.Buttons = append(b.Buttons, Choice{Type: btn.Type, ID: btn.Text, Title: btn.Text})
			}
		}
	}
	return b
}

// variable matches {{1}} and {{first_name}}.
var variable = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

// fillVariables replaces {{n}} with the n-th parameter and {{name}} with
// the parameter of that name; an unfilled variable stays as written.
func fillVariables(text string, params []parameter) string {
	return variable.ReplaceAllStringFunc(text, func(v string) string {
		name := variable.FindStringSubmatch(v)[1]
		if n, err := strconv.Atoi(name); err == nil {
			if n >= 1 && n <= len(params) {
				return params[n-1].Text
			}
			return v
		}
		for _, p := range params {
			if p.ParameterName == name {
				return p.Text
			}
		}
		return v
	})
}
