package e2e

import (
	"encoding/json"
	"errors"
)

// Incoming is one inbound message as a chatbot reads it from Meta's
// webhook JSON, whatever its type.
type Incoming struct {
	PhoneNumberID string // the business number it was sent to
	ID            string // Meta's wamid
	From          string // the user's wa_id
	Name          string // the user's profile name
	// Type is Meta's: text, image, interactive, button, ...
	Type string
	// Text is a text's body or a media caption.
	Text string
	// ReplyID and ReplyTitle are the id and title of the reply button or
	// list row chosen (Type interactive), or a template button's payload
	// and text (Type button).
	ReplyID, ReplyTitle string
	// MediaID and MIMEType describe an image.
	MediaID, MIMEType string
}

// incomingBody is the part of Meta's envelope a bot reads.
type incomingBody struct {
	Object string `json:"object"`
	Entry  []struct {
		Changes []struct {
			Field string `json:"field"`
			Value struct {
				Metadata struct {
					PhoneNumberID string `json:"phone_number_id"`
				} `json:"metadata"`
				Contacts []struct {
					WaID    string `json:"wa_id"`
					Profile struct {
						Name string `json:"name"`
					} `json:"profile"`
				} `json:"contacts"`
				Messages []struct {
					ID   string `json:"id"`
					From string `json:"from"`
					Type string `json:"type"`
					Text struct {
						Body string `json:"body"`
					} `json:"text"`
					Image struct {
						ID       string `json:"id"`
						MIMEType string `json:"mime_type"`
						Caption  string `json:"caption"`
					} `json:"image"`
					Interactive struct {
						Type        string   `json:"type"`
						ButtonReply replyRef `json:"button_reply"`
						ListReply   replyRef `json:"list_reply"`
					} `json:"interactive"`
					Button struct {
						Payload string `json:"payload"`
						Text    string `json:"text"`
					} `json:"button"`
				} `json:"messages"`
			} `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type replyRef struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Messages reads every inbound message out of the forwarded body, which
// must be Meta's webhook envelope; statuses and other changes are not
// messages.
func (f Forwarded) Messages() ([]Incoming, error) {
	var b incomingBody
	if err := json.Unmarshal(f.Body, &b); err != nil {
		return nil, err
	}
	if b.Object != "whatsapp_business_account" {
		return nil, errors.New(`not a WhatsApp webhook: object is "` + b.Object + `"`)
	}
	var out []Incoming
	for _, e := range b.Entry {
		for _, ch := range e.Changes {
			if ch.Field != "messages" {
				continue
			}
			names := map[string]string{}
			for _, c := range ch.Value.Contacts {
				names[c.WaID] = c.Profile.Name
			}
			for _, m := range ch.Value.Messages {
				in := Incoming{PhoneNumberID: ch.Value.Metadata.PhoneNumberID, ID: m.ID, From: m.From, Name: names[m.From], Type: m.Type}
				switch m.Type {
				case "text":
					in.Text = m.Text.Body
				case "image":
					in.Text, in.MediaID, in.MIMEType = m.Image.Caption, m.Image.ID, m.Image.MIMEType
				case "interactive":
					r := m.Interactive.ButtonReply
					if m.Interactive.Type == "list_reply" {
						r = m.Interactive.ListReply
					}
					in.ReplyID, in.ReplyTitle = r.ID, r.Title
				case "button":
					in.ReplyID, in.ReplyTitle = m.Button.Payload, m.Button.Text
				}
				out = append(out, in)
			}
		}
	}
	return out, nil
}
