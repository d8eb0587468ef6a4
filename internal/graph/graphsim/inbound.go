package graphsim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"
)

// Kinds of UserMessage.
const (
	UserText        = "text"
	UserImage       = "image"
	UserButtonReply = "button_reply" // a tap on an interactive reply button
	UserListReply   = "list_reply"   // a choice from an interactive list
	UserButton      = "button"       // a tap on a template's quick-reply button
)

// Limits of what a user may send through SendFromUser.
const (
	maxUserText       = 4096
	maxUserImageBytes = 5 << 20 // WhatsApp's image limit
	maxUserField      = 256
)

// UserMessage is a message a WhatsApp user sends to a business number.
type UserMessage struct {
	// From is the user's wa_id (digits); Name their profile name.
	From string `json:"from"`
	Name string `json:"name,omitempty"`
	// Type is one of the User* kinds.
	Type string `json:"type"`
	// Text is the text, or an image's caption.
	Text string `json:"text,omitempty"`
	// ReplyTo is the id of the message replied to (the message whose
	// button or list was used), optional.
	ReplyTo string `json:"reply_to,omitempty"`
	// ReplyID and Title are the chosen button's or row's id (a template
	// button's payload) and title; Description a list row's.
	ReplyID     string `json:"reply_id,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	// Image is the picture (UserImage): JPEG, PNG or WEBP up to 5 MB.
	ImageMIMEType string `json:"image_mime_type,omitempty"`
	ImageData     []byte `json:"image_data,omitempty"`
	// MessageID, when set, is the wamid to use: sending the same message
	// again is Meta retrying its webhook.
	MessageID string `json:"message_id,omitempty"`
}

// UserMessageResult is what became of a UserMessage: its wamid and the
// callback's answer to the webhook (StatusCode 0 and Error when it could
// not be reached).
type UserMessageResult struct {
	MessageID string `json:"message_id"`
	// MediaID is an image's id (MediaBytes has it).
	MediaID    string `json:"media_id,omitempty"`
	StatusCode int    `json:"status_code,omitempty"`
	Error      string `json:"error,omitempty"`
}

// errBadUserMessage wraps every refusal of SendFromUser's input.
var errBadUserMessage = errors.New("graphsim: bad user message")

func badUserMessage(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errBadUserMessage, fmt.Sprintf(format, args...))
}

// check refuses what WhatsApp would not let a user send.
func (m UserMessage) check() error {
	if d := digits(m.From); d == "" || d != m.From || len(d) > 15 {
		return badUserMessage("from must be a wa_id of 1 to 15 digits")
	}
	for name, v := range map[string]string{"name": m.Name, "reply_to": m.ReplyTo, "reply_id": m.ReplyID,
		"title": m.Title, "description": m.Description, "message_id": m.MessageID} {
		if len(v) > maxUserField || !utf8.ValidString(v) {
			return badUserMessage("%s must be valid UTF-8 of at most %d bytes", name, maxUserField)
		}
	}
	if utf8.RuneCountInString(m.Text) > maxUserText || !utf8.ValidString(m.Text) {
		return badUserMessage("text must be valid UTF-8 of at most %d characters", maxUserText)
	}
	switch m.Type {
	case UserText:
		if m.Text == "" {
			return badUserMessage("a text message needs text")
		}
	case UserImage:
		if len(m.ImageData) == 0 || len(m.ImageData) > maxUserImageBytes {
			return badUserMessage("an image needs image_data of 1 byte to 5 MB")
		}
		if !imageTypes[http.DetectContentType(m.ImageData)] || m.ImageMIMEType != http.DetectContentType(m.ImageData) {
			return badUserMessage("an image must be JPEG, PNG or WEBP, and image_mime_type must say which")
		}
	case UserButtonReply, UserListReply, UserButton:
		if m.ReplyID == "" || m.Title == "" {
			return badUserMessage("a %s needs reply_id and title", m.Type)
		}
	default:
		return badUserMessage("type must be text, image, button_reply, list_reply or button")
	}
	return nil
}

// imageTypes are the image MIME types WhatsApp takes, as sniffed.
var imageTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/webp": true}

// SendFromUser acts as a WhatsApp user writing to the business number
// phoneNumberID: it builds Meta's webhook for m, signs it with the app's
// secret and POSTs it to the WABA's messages callback, and returns the
// callback's answer. An image is kept as uploaded media (MediaBytes).
func (s *Server) SendFromUser(ctx context.Context, phoneNumberID string, m UserMessage) (UserMessageResult, error) {
	if err := m.check(); err != nil {
		return UserMessageResult{}, err
	}
	s.mu.Lock()
	p := s.phones[phoneNumberID]
	if p == nil {
		s.mu.Unlock()
		return UserMessageResult{}, errNoPhone(phoneNumberID)
	}
	url, secret, ok := s.messagesCallbackLocked(p.wabaID)
	if !ok {
		s.mu.Unlock()
		return UserMessageResult{}, badUserMessage("no app subscribed to WABA %s has a callback URL", p.wabaID)
	}
	in := Inbound{WABAID: p.wabaID, PhoneNumberID: p.ID, DisplayPhoneNumber: digits(p.DisplayPhoneNumber),
		From: m.From, ProfileName: m.Name, ReplyTo: m.ReplyTo, MessageID: m.MessageID, Timestamp: s.now()}
	if in.MessageID == "" {
		s.userMessages++
		in.MessageID = wamid(p.ID, m.From, m.Type, in.Timestamp.String(), fmt.Sprint(s.userMessages))
	}
	var payload []byte
	mediaID := ""
	switch m.Type {
	case UserText:
		payload = TextMessageWebhook(in, m.Text)
	case UserImage:
		sum := sha256.Sum256(m.ImageData)
		media := Media{ID: s.newIDLocked(kindMedia), PhoneNumberID: p.ID, MIMEType: m.ImageMIMEType,
			Size: len(m.ImageData), SHA256: hex.EncodeToString(sum[:])}
		s.media[media.ID] = media
		s.mediaBytes.keep(media.ID, m.ImageData)
		mediaID = media.ID
		payload = ImageMessageWebhook(in, MediaRef{ID: media.ID, MIMEType: media.MIMEType, SHA256: media.SHA256, Caption: m.Text})
	case UserButtonReply:
		payload = ButtonReplyWebhook(in, m.ReplyID, m.Title)
	case UserListReply:
		payload = ListReplyWebhook(in, m.ReplyID, m.Title, m.Description)
	case UserButton:
		payload = TemplateButtonWebhook(in, m.ReplyID, m.Title)
	}
	s.mu.Unlock()

	res := UserMessageResult{MessageID: in.MessageID, MediaID: mediaID}
	d := Delivery{URL: url, Field: fieldMessages, At: s.now()}
	resp, err := s.DeliverWebhook(ctx, url, secret, payload)
	if err != nil {
		res.Error, d.Error = err.Error(), err.Error()
	} else {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
		res.StatusCode, d.StatusCode = resp.StatusCode, resp.StatusCode
	}
	s.mu.Lock()
	s.delivered = append(s.delivered, d)
	s.mu.Unlock()
	return res, nil
}
