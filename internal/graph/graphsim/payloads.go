package graphsim

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"
)

// Webhook fields.
const (
	fieldMessages        = "messages"
	fieldTemplateStatus  = "message_template_status_update"
	fieldTemplateQuality = "message_template_quality_update"
	fieldPhoneQuality    = "phone_number_quality_update"
	objectWABA           = "whatsapp_business_account"
	errorsHref           = "https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes/"
)

// Inbound describes who sent an inbound message to which business number.
type Inbound struct {
	WABAID        string
	PhoneNumberID string
	// DisplayPhoneNumber is the business number as webhooks carry it
	// (digits, such as "12025550123").
	DisplayPhoneNumber string
	// From is the user's wa_id; empty for a username-only user, who is then
	// identified by UserID alone.
	From string
	// UserID and ParentUserID are business-scoped user ids (optional).
	UserID, ParentUserID string
	ProfileName          string
	// MessageID defaults to a wamid derived from the content.
	MessageID string
	// Timestamp defaults to now.
	Timestamp time.Time
	// ReplyTo, when set, adds context {from, id} (a reply).
	ReplyTo string
}

// envelope wraps one change in Meta's webhook body.
func envelope(wabaID, field string, value any, at time.Time) []byte {
	entry := map[string]any{"id": wabaID, "changes": []any{map[string]any{"value": value, "field": field}}}
	if !at.IsZero() {
		entry["time"] = at.Unix()
	}
	b, _ := json.Marshal(map[string]any{"object": objectWABA, "entry": []any{entry}})
	return b
}

func metadata(displayPhone, phoneID string) map[string]string {
	return map[string]string{"display_phone_number": displayPhone, "phone_number_id": phoneID}
}

// messageWebhook builds a "messages" change carrying one inbound message of
// msgType with its type-specific object.
func messageWebhook(in Inbound, msgType string, object any) []byte {
	ts := in.Timestamp
	if ts.IsZero() {
		ts = time.Now()
	}
	id := in.MessageID
	if id == "" {
		id = wamid(in.PhoneNumberID, in.From, in.UserID, msgType, ts.String())
	}
	contact := map[string]any{"profile": map[string]string{"name": in.ProfileName}}
	msg := map[string]any{"id": id, "timestamp": strconv.FormatInt(ts.Unix(), 10), "type": msgType, msgType: object}
	if in.From != "" {
		contact["wa_id"] = in.From
		msg["from"] = in.From
	} else {
		msg["from_user_id"] = in.UserID
	}
	if in.UserID != "" {
		contact["user_id"] = in.UserID
	}
	if in.ParentUserID != "" {
		contact["parent_user_id"] = in.ParentUserID
	}
	if in.ReplyTo != "" {
		msg["context"] = map[string]string{"from": in.DisplayPhoneNumber, "id": in.ReplyTo}
	}
	return envelope(in.WABAID, fieldMessages, map[string]any{
		"messaging_product": messagingProduct,
		"metadata":          metadata(in.DisplayPhoneNumber, in.PhoneNumberID),
		"contacts":          []any{contact},
		"messages":          []any{msg},
	}, time.Time{})
}

// wamid derives a stable, Meta-looking message id from parts.
func wamid(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return "wamid.HBgL" + base64.StdEncoding.EncodeToString(h.Sum(nil)[:24])
}

// TextMessageWebhook is an inbound text message.
func TextMessageWebhook(in Inbound, text string) []byte {
	return messageWebhook(in, "text", map[string]string{"body": text})
}

// MediaRef describes inbound media.
type MediaRef struct {
	ID, MIMEType, SHA256 string
	// Caption (image, video, document), Filename (document) and URL (a
	// lookaside download URL) are optional.
	Caption, Filename, URL string
	// Voice marks a voice note (audio); Animated an animated sticker.
	Voice, Animated bool
}

func mediaObject(kind string, m MediaRef) map[string]any {
	o := map[string]any{"id": m.ID, "mime_type": m.MIMEType, "sha256": m.SHA256}
	if m.Caption != "" && kind != "audio" && kind != "sticker" {
		o["caption"] = m.Caption
	}
	if m.Filename != "" && kind == "document" {
		o["filename"] = m.Filename
	}
	if m.URL != "" {
		o["url"] = m.URL
	}
	switch kind {
	case "audio":
		o["voice"] = m.Voice
	case "sticker":
		o["animated"] = m.Animated
	}
	return o
}

// ImageMessageWebhook is an inbound image.
func ImageMessageWebhook(in Inbound, m MediaRef) []byte {
	return messageWebhook(in, "image", mediaObject("image", m))
}

// VideoMessageWebhook is an inbound video.
func VideoMessageWebhook(in Inbound, m MediaRef) []byte {
	return messageWebhook(in, "video", mediaObject("video", m))
}

// AudioMessageWebhook is inbound audio; m.Voice marks a voice note.
func AudioMessageWebhook(in Inbound, m MediaRef) []byte {
	return messageWebhook(in, "audio", mediaObject("audio", m))
}

// DocumentMessageWebhook is an inbound document.
func DocumentMessageWebhook(in Inbound, m MediaRef) []byte {
	return messageWebhook(in, "document", mediaObject("document", m))
}

// StickerMessageWebhook is an inbound sticker.
func StickerMessageWebhook(in Inbound, m MediaRef) []byte {
	return messageWebhook(in, "sticker", mediaObject("sticker", m))
}

// LocationMessageWebhook is an inbound location.
func LocationMessageWebhook(in Inbound, latitude, longitude float64, name, address string) []byte {
	o := map[string]any{"latitude": latitude, "longitude": longitude}
	if name != "" {
		o["name"] = name
	}
	if address != "" {
		o["address"] = address
	}
	return messageWebhook(in, "location", o)
}

// ReactionWebhook is a reaction to messageID; an empty emoji removes it.
func ReactionWebhook(in Inbound, messageID, emoji string) []byte {
	return messageWebhook(in, "reaction", map[string]string{"message_id": messageID, "emoji": emoji})
}

// ButtonReplyWebhook is a tap on an interactive reply button.
func ButtonReplyWebhook(in Inbound, replyID, title string) []byte {
	return messageWebhook(in, "interactive", map[string]any{
		"type": "button_reply", "button_reply": map[string]string{"id": replyID, "title": title},
	})
}

// TemplateButtonWebhook is a tap on a template's quick-reply button.
func TemplateButtonWebhook(in Inbound, payload, text string) []byte {
	return messageWebhook(in, "button", map[string]string{"payload": payload, "text": text})
}

// ListReplyWebhook is a choice from an interactive list.
func ListReplyWebhook(in Inbound, rowID, title, description string) []byte {
	reply := map[string]string{"id": rowID, "title": title}
	if description != "" {
		reply["description"] = description
	}
	return messageWebhook(in, "interactive", map[string]any{"type": "list_reply", "list_reply": reply})
}
