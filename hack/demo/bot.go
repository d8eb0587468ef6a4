package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/kubechat/whatsapp-operator/test/e2e"
)

// The demo bot's keywords (case-insensitive, the whole message).
const (
	keywordMenu  = "menu"
	keywordList  = "list"
	keywordPhoto = "photo"
	keywordLong  = "long"
	keywordOrder = "order"
)

// longTextWords makes the "long" answer longer than one WhatsApp text
// (4096 characters), so the relay splits it.
const longTextWords = 900

// demoBot decides the echo bot's answers: it echoes text and shows, on a
// keyword, what the relay carries: reply buttons, a list, an image
// uploaded through the relay's /media, a text the relay splits, and a
// template with its variables. Everything goes through the relay; it holds
// no token.
type demoBot struct {
	relayURL func() string
	client   *http.Client

	mu      sync.Mutex
	mediaID map[string]string // phone number id → uploaded picture
}

func newDemoBot(relayURL func() string) *demoBot {
	return &demoBot{relayURL: relayURL, client: &http.Client{Timeout: 20 * time.Second}, mediaID: map[string]string{}}
}

// respond is e2e.EchoBot's Respond.
func (b *demoBot) respond(m e2e.Incoming) []e2e.Reply {
	switch m.Type {
	case "text":
		return b.answerText(m)
	case "interactive", "button":
		return b.answerChoice(m)
	case "image":
		return []e2e.Reply{e2e.TextReply(fmt.Sprintf("Thanks for the picture (%s)%s. Write \"photo\" and I send you one.", m.MIMEType, captionNote(m.Text)))}
	}
	return []e2e.Reply{e2e.TextReply("I can read text, pictures, buttons and lists. Write \"menu\".")}
}

func captionNote(caption string) string {
	if caption == "" {
		return ""
	}
	return fmt.Sprintf(", captioned %q", caption)
}

func (b *demoBot) answerText(m e2e.Incoming) []e2e.Reply {
	switch strings.ToLower(strings.TrimSpace(m.Text)) {
	case keywordMenu:
		return []e2e.Reply{menuReply()}
	case keywordList:
		return []e2e.Reply{listReply()}
	case keywordPhoto:
		return []e2e.Reply{b.photoReply(m.PhoneNumberID)}
	case keywordLong:
		return []e2e.Reply{e2e.TextReply(longText())}
	case keywordOrder:
		return []e2e.Reply{orderTemplate(m.Name)}
	}
	return []e2e.Reply{e2e.TextReply("Echo: " + m.Text)}
}

func (b *demoBot) answerChoice(m e2e.Incoming) []e2e.Reply {
	switch m.ReplyID {
	case "photo":
		return []e2e.Reply{b.photoReply(m.PhoneNumberID)}
	case "list":
		return []e2e.Reply{listReply()}
	}
	return []e2e.Reply{e2e.TextReply(fmt.Sprintf("You chose %q (id %s).", m.ReplyTitle, m.ReplyID))}
}

// menuReply is three reply buttons.
func menuReply() e2e.Reply {
	button := func(id, title string) map[string]any {
		return map[string]any{"type": "reply", "reply": map[string]string{"id": id, "title": title}}
	}
	return e2e.Reply{"type": "interactive", "interactive": map[string]any{
		"type":   "button",
		"header": map[string]string{"type": "text", "text": "Acme Support"},
		"body":   map[string]string{"text": "How can we help you today?"},
		"footer": map[string]string{"text": "Tap a button"},
		"action": map[string]any{"buttons": []any{button("track", "Track my order"), button("photo", "Send a photo"), button("list", "More topics")}},
	}}
}

// listReply is an interactive list of two sections.
func listReply() e2e.Reply {
	row := func(id, title, desc string) map[string]string {
		return map[string]string{"id": id, "title": title, "description": desc}
	}
	return e2e.Reply{"type": "interactive", "interactive": map[string]any{
		"type":   "list",
		"header": map[string]string{"type": "text", "text": "Topics"},
		"body":   map[string]string{"text": "Pick a topic and we take it from there."},
		"footer": map[string]string{"text": "Acme Support"},
		"action": map[string]any{"button": "See topics", "sections": []any{
			map[string]any{"title": "Orders", "rows": []any{row("track", "Track an order", "Where is my parcel?"), row("return", "Return an item", "Within 30 days")}},
			map[string]any{"title": "Account", "rows": []any{row("address", "Change my address", "")}},
		}},
	}}
}

// longText is about 5,000 characters: the relay sends it as two messages.
func longText() string {
	var b strings.Builder
	b.WriteString("A long answer, longer than one WhatsApp message: the relay splits it at a word boundary. ")
	for i := 1; b.Len() < 4096+longTextWords; i++ {
		fmt.Fprintf(&b, "word%d ", i)
	}
	b.WriteString("The end.")
	return b.String()
}

// orderTemplate is the approved template order_update with its variables.
func orderTemplate(name string) e2e.Reply {
	if name == "" {
		name = "there"
	}
	text := func(v string) map[string]string { return map[string]string{"type": "text", "text": v} }
	return e2e.Reply{"type": "template", "template": map[string]any{
		"name": "order_update", "language": map[string]string{"code": "en_US"},
		"components": []any{
			map[string]any{"type": "header", "parameters": []any{text("#4521")}},
			map[string]any{"type": "body", "parameters": []any{text(name), text("#4521")}},
			map[string]any{"type": "button", "sub_type": "url", "index": "1", "parameters": []any{text("4521")}},
		},
	}}
}

// photoReply uploads the demo picture through the relay once per number
// and sends it by id.
func (b *demoBot) photoReply(phoneNumberID string) e2e.Reply {
	id, err := b.uploadPicture(phoneNumberID)
	if err != nil {
		return e2e.TextReply("I could not upload the picture: " + err.Error())
	}
	return e2e.Reply{"type": "image", "image": map[string]string{"id": id, "caption": "Your parcel, packed and on its way"}}
}

func (b *demoBot) uploadPicture(phoneNumberID string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if id := b.mediaID[phoneNumberID]; id != "" {
		return id, nil
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("messaging_product", "whatsapp")
	_ = w.WriteField("type", "image/png")
	part, _ := w.CreateFormFile("file", "parcel.png")
	_, _ = part.Write(parcelPicture())
	_ = w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	url := strings.TrimSuffix(b.relayURL(), "/") + "/" + e2e.GraphAPIVersion + "/" + phoneNumberID + "/media"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, &body)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := b.client.Do(req)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var out struct{ ID string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &out) != nil || out.ID == "" {
		return "", fmt.Errorf("the relay answered %d: %s", resp.StatusCode, raw)
	}
	b.mediaID[phoneNumberID] = out.ID
	return out.ID, nil
}

// parcelPicture draws a parcel on a green card, as a PNG.
func parcelPicture() []byte {
	const w, h = 480, 300
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fill := func(r image.Rectangle, c color.RGBA) {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				img.SetRGBA(x, y, c)
			}
		}
	}
	for y := 0; y < h; y++ { // a green gradient
		fill(image.Rect(0, y, w, y+1), color.RGBA{R: 7, G: uint8(94 + y*60/h), B: uint8(84 + y*20/h), A: 255})
	}
	fill(image.Rect(150, 90, 330, 230), color.RGBA{R: 196, G: 150, B: 92, A: 255})  // the box
	fill(image.Rect(150, 90, 330, 120), color.RGBA{R: 170, G: 124, B: 70, A: 255})  // its lid
	fill(image.Rect(232, 90, 248, 230), color.RGBA{R: 235, G: 222, B: 190, A: 255}) // the tape
	fill(image.Rect(265, 185, 315, 215), color.RGBA{R: 250, G: 250, B: 250, A: 255})
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}
