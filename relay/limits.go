package relay

import (
	"net/url"
	"regexp"
	"unicode/utf8"
)

// WhatsApp's limits the relay enforces before Meta does (graph-api-notes
// A7.1; issue 8). Lengths count Unicode characters.
const (
	MaxTextRunes          = 4096
	MaxCaptionRunes       = 1024
	MaxInteractiveBody    = 1024
	MaxHeaderFooterRunes  = 60
	MaxReplyButtons       = 3
	MaxButtonTitleRunes   = 20
	MaxListRows           = 10
	MaxListSections       = 10
	MaxRowTitleRunes      = 24
	MaxRowDescRunes       = 72
	MaxSectionTitleRunes  = 24
	MaxListButtonRunes    = 20
	MaxLinkLength         = 2048
	maxFallbackTextLength = 65536
)

var (
	// phoneRecipient: E.164 digits, + optional, with the separators people
	// write (Meta accepts them).
	phoneRecipient = regexp.MustCompile(`^\+?[0-9][0-9 ().-]{4,24}$`)
	// userRecipient: a business-scoped user id such as US.13491208655302741918.
	userRecipient = regexp.MustCompile(`^[A-Z]{2}(\.ENT)?\.[0-9A-Za-z]{1,64}$`)
)

// checkMessage refuses a send that breaks one of WhatsApp's rules; text
// over MaxTextRunes is not refused here but split. maxTextRunes bounds
// the text the relay agrees to split.
func checkMessage(m *message, maxTextRunes int) *metaError {
	if m.MessagingProduct != "whatsapp" {
		return missing("messaging_product", `messaging_product must be "whatsapp"`)
	}
	if m.isMarkRead() {
		if m.MessageID == "" {
			return missing("message_id", "a read receipt (status: read) names the message_id it marks")
		}
		return nil
	}
	if err := checkRecipient(m); err != nil {
		return err
	}
	if m.Extension != nil && utf8.RuneCountInString(m.Extension.FallbackText) > maxFallbackTextLength {
		return invalid("%s.fallback_text is longer than %d characters", ExtensionField, maxFallbackTextLength)
	}
	switch k := m.kind(); k {
	case "text":
		return checkText(m.Text, maxTextRunes)
	case kindImage, kindVideo, kindAudio, kindDocument, kindSticker:
		return checkMedia(k, m.media())
	case "interactive":
		return checkInteractive(m.Interactive)
	case "template":
		if m.Template == nil || m.Template.Name == "" {
			return missing("template.name", "a template message names its template")
		}
		if m.Template.Language == nil || m.Template.Language.Code == "" {
			return missing("template.language.code", "a template message names its language")
		}
	case "reaction":
		if m.Reaction == nil || m.Reaction.MessageID == "" {
			return missing("reaction.message_id", "a reaction names the message it reacts to")
		}
	}
	return nil
}

// checkRecipient requires a well-formed to or recipient.
func checkRecipient(m *message) *metaError {
	switch {
	case m.To == "" && m.Recipient == "":
		return missing("to", "a message needs a recipient: to (a phone number) or recipient (a business-scoped user id)")
	case m.To != "" && !phoneRecipient.MatchString(m.To):
		return invalid("to %q is not a phone number (E.164 digits, + optional)", truncate(m.To, 40))
	case m.To == "" && !userRecipient.MatchString(m.Recipient):
		return invalid("recipient %q is not a business-scoped user id such as US.13491208655302741918", truncate(m.Recipient, 40))
	}
	return nil
}

func checkText(t *textBody, maxRunes int) *metaError {
	if t == nil || t.Body == "" {
		return missing("text.body", "a text message has a body")
	}
	if n := utf8.RuneCountInString(t.Body); n > maxRunes {
		return invalid("text.body has %d characters: the relay splits text into parts of %d, up to %d characters in all", n, MaxTextRunes, maxRunes)
	}
	return nil
}

func checkMedia(kind string, mb *mediaBody) *metaError {
	switch {
	case mb == nil || (mb.ID == "" && mb.Link == ""):
		return missing(kind+".id", "a media message names an uploaded media id or a link")
	case mb.ID != "" && mb.Link != "":
		return invalid("%s has both id and link: give one", kind)
	case utf8.RuneCountInString(mb.Caption) > MaxCaptionRunes:
		return invalid("%s.caption has %d characters, at most %d", kind, utf8.RuneCountInString(mb.Caption), MaxCaptionRunes)
	case mb.Link != "":
		return checkLink(kind, mb.Link)
	}
	return nil
}

// checkLink requires an absolute http(s) URL Meta can fetch.
func checkLink(kind, link string) *metaError {
	if len(link) > MaxLinkLength {
		return invalid("%s.link is longer than %d characters", kind, MaxLinkLength)
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return invalid("%s.link must be an absolute http(s) URL that Meta can fetch", kind)
	}
	return nil
}

func checkInteractive(in *interactive) *metaError {
	if in == nil || in.Type == "" {
		return missing("interactive.type", "an interactive message has a type (button, list, ...)")
	}
	if in.Header != nil && runes(in.Header.Text) > MaxHeaderFooterRunes {
		return invalid("interactive.header.text has %d characters, at most %d", runes(in.Header.Text), MaxHeaderFooterRunes)
	}
	if in.Footer != nil && runes(in.Footer.Text) > MaxHeaderFooterRunes {
		return invalid("interactive.footer.text has %d characters, at most %d", runes(in.Footer.Text), MaxHeaderFooterRunes)
	}
	if in.Body != nil && runes(in.Body.Text) > MaxInteractiveBody {
		return invalid("interactive.body.text has %d characters, at most %d", runes(in.Body.Text), MaxInteractiveBody)
	}
	switch in.Type {
	case "button":
		return checkButtons(in)
	case "list":
		return checkList(in)
	}
	return nil
}

func checkButtons(in *interactive) *metaError {
	if in.Body == nil || in.Body.Text == "" {
		return missing("interactive.body.text", "a button message has a body")
	}
	if in.Action == nil || len(in.Action.Buttons) == 0 {
		return missing("interactive.action.buttons", "a button message has 1 to 3 reply buttons")
	}
	if len(in.Action.Buttons) > MaxReplyButtons {
		return invalid("interactive.action.buttons has %d buttons, at most %d reply buttons", len(in.Action.Buttons), MaxReplyButtons)
	}
	for i, b := range in.Action.Buttons {
		if n := runes(b.Reply.Title); n == 0 || n > MaxButtonTitleRunes {
			return invalid("interactive.action.buttons[%d].reply.title has %d characters, 1 to %d", i, n, MaxButtonTitleRunes)
		}
	}
	return nil
}

func checkList(in *interactive) *metaError {
	if in.Body == nil || in.Body.Text == "" {
		return missing("interactive.body.text", "a list message has a body")
	}
	if in.Action == nil || len(in.Action.Sections) == 0 {
		return missing("interactive.action.sections", "a list message has sections with rows")
	}
	if n := runes(in.Action.Button); n == 0 || n > MaxListButtonRunes {
		return invalid("interactive.action.button has %d characters, 1 to %d", n, MaxListButtonRunes)
	}
	if len(in.Action.Sections) > MaxListSections {
		return invalid("interactive.action.sections has %d sections, at most %d", len(in.Action.Sections), MaxListSections)
	}
	rows := 0
	for i, s := range in.Action.Sections {
		if n := runes(s.Title); n > MaxSectionTitleRunes {
			return invalid("interactive.action.sections[%d].title has %d characters, at most %d", i, n, MaxSectionTitleRunes)
		}
		for j, r := range s.Rows {
			rows++
			if n := runes(r.Title); n == 0 || n > MaxRowTitleRunes {
				return invalid("interactive.action.sections[%d].rows[%d].title has %d characters, 1 to %d", i, j, n, MaxRowTitleRunes)
			}
			if n := runes(r.Description); n > MaxRowDescRunes {
				return invalid("interactive.action.sections[%d].rows[%d].description has %d characters, at most %d", i, j, n, MaxRowDescRunes)
			}
		}
	}
	if rows == 0 || rows > MaxListRows {
		return invalid("interactive.action.sections have %d rows in all, 1 to %d", rows, MaxListRows)
	}
	return nil
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// truncate shortens s to n runes for an error message.
func truncate(s string, n int) string {
	if runes(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
