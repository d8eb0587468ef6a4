package relay

import (
	"encoding/json"
	"strings"
)

// ExtensionField is the top-level key of a send body that the relay reads
// and removes before Meta sees the body.
const ExtensionField = "x_relay"

// message is what the relay reads of a send request: exactly what its
// decisions need. The body itself is forwarded as received whenever the
// relay changes nothing.
type message struct {
	MessagingProduct string          `json:"messaging_product"`
	To               string          `json:"to"`
	Recipient        string          `json:"recipient"`
	Type             string          `json:"type"`
	Status           string          `json:"status"`
	MessageID        string          `json:"message_id"`
	Text             *textBody       `json:"text"`
	Image            *mediaBody      `json:"image"`
	Video            *mediaBody      `json:"video"`
	Audio            *mediaBody      `json:"audio"`
	Document         *mediaBody      `json:"document"`
	Sticker          *mediaBody      `json:"sticker"`
	Interactive      *interactive    `json:"interactive"`
	Template         *templateRef    `json:"template"`
	Reaction         *reaction       `json:"reaction"`
	Extension        *extension      `json:"x_relay"`
	Context          json.RawMessage `json:"context"`
}

// extension is what a chatbot tells the relay beside Meta's body.
type extension struct {
	// FallbackText is sent through the new_bot_message template when the
	// message hits a closed 24-hour window (a voice reply's text).
	FallbackText string `json:"fallback_text"`
}

type textBody struct {
	Body       string `json:"body"`
	PreviewURL *bool  `json:"preview_url,omitempty"`
}

type mediaBody struct {
	ID       string `json:"id"`
	Link     string `json:"link"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
}

type templateRef struct {
	Name     string `json:"name"`
	Language *struct {
		Code string `json:"code"`
	} `json:"language"`
}

type reaction struct {
	MessageID string `json:"message_id"`
}

type interactive struct {
	Type   string `json:"type"`
	Header *struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"header"`
	Body *struct {
		Text string `json:"text"`
	} `json:"body"`
	Footer *struct {
		Text string `json:"text"`
	} `json:"footer"`
	Action *struct {
		Button  string `json:"button"`
		Buttons []struct {
			Type  string `json:"type"`
			Reply struct {
				ID    string `json:"id"`
				Title string `json:"title"`
			} `json:"reply"`
		} `json:"buttons"`
		Sections []struct {
			Title string `json:"title"`
			Rows  []struct {
				ID          string `json:"id"`
				Title       string `json:"title"`
				Description string `json:"description"`
			} `json:"rows"`
		} `json:"sections"`
	} `json:"action"`
}

// isMarkRead reports a read receipt (status: read), which has no recipient.
func (m *message) isMarkRead() bool { return m.Status == "read" }

// kind is the message type: Meta's default "text" when absent.
func (m *message) kind() string {
	if m.isMarkRead() {
		return "read"
	}
	if m.Type == "" {
		return "text"
	}
	return m.Type
}

// media returns the media object of a media message, nil otherwise.
func (m *message) media() *mediaBody {
	switch m.kind() {
	case kindImage:
		return m.Image
	case kindVideo:
		return m.Video
	case kindAudio:
		return m.Audio
	case kindDocument:
		return m.Document
	case kindSticker:
		return m.Sticker
	}
	return nil
}

// recipientKey identifies the person written to: the digits of to, or the
// business-scoped user id. A read receipt names no person: it gets a lane
// of its own (its message id), so receipts never queue behind each other.
func (m *message) recipientKey() string {
	if m.isMarkRead() && m.To == "" && m.Recipient == "" {
		return "read:" + m.MessageID
	}
	if m.To != "" {
		return "to:" + strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, m.To)
	}
	return "user:" + m.Recipient
}

// fallbackText is the text that goes through the fallback template when
// the window is closed: the extension's, else a text message's body.
func (m *message) fallbackText() string {
	if m.Extension != nil && strings.TrimSpace(m.Extension.FallbackText) != "" {
		return m.Extension.FallbackText
	}
	if m.kind() == "text" && m.Text != nil {
		return m.Text.Body
	}
	return ""
}

// typeLabels bounds the type label of metrics.
var typeLabels = map[string]bool{
	"text": true, "image": true, "video": true, "audio": true, "document": true, "sticker": true,
	"template": true, "interactive": true, "reaction": true, "location": true, "contacts": true, "read": true,
	"media_upload": true,
}

// typeLabel returns the metric label of a message type.
func typeLabel(kind string) string {
	if typeLabels[kind] {
		return kind
	}
	return "other"
}
