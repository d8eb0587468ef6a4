package chatpage

import (
	"sync"
	"time"
)

// Who wrote a bubble.
const (
	fromUser     = "user"
	fromBusiness = "business"
)

// Ticks of a bubble, as WhatsApp shows them: a clock while nothing is
// confirmed, then one grey tick, two grey ticks, two blue ticks; or failed.
const (
	ticksPending   = "pending"
	ticksSent      = "sent"
	ticksDelivered = "delivered"
	ticksRead      = "read"
	ticksFailed    = "failed"
)

// tickRank orders ticks: a late "sent" never undoes "read".
var tickRank = map[string]int{ticksPending: 0, ticksSent: 1, ticksDelivered: 2, ticksRead: 3}

// maxBubbles bounds a conversation kept in memory; older bubbles go.
const maxBubbles = 500

// Bubble is one message as the page shows it.
type Bubble struct {
	ID      string    `json:"id"`      // Meta's wamid
	Channel string    `json:"channel"` // the business number's phone number id
	From    string    `json:"from"`    // user or business
	At      time.Time `json:"at"`
	// Kind is text, image, buttons, list, template or other.
	Kind     string `json:"kind"`
	Header   string `json:"header,omitempty"`
	Text     string `json:"text,omitempty"`
	Footer   string `json:"footer,omitempty"`
	ImageURL string `json:"imageURL,omitempty"`
	// Buttons are reply buttons, or a template's buttons.
	Buttons []Choice `json:"buttons,omitempty"`
	// ListButton opens the list of Sections.
	ListButton string    `json:"listButton,omitempty"`
	Sections   []Section `json:"sections,omitempty"`
	// Template names the template a template message used.
	Template string `json:"template,omitempty"`
	// Note says more: what a user's tap answered, why a send failed.
	Note  string `json:"note,omitempty"`
	Ticks string `json:"ticks"`
	// Retry is set on a user's message whose webhook failed: sending it
	// again is Meta retrying (same id).
	Retry *UserMessage `json:"retry,omitempty"`
}

// Choice is a button: a reply button (ID, Title), a template's quick reply
// (Type QUICK_REPLY, its text as payload) or another template button
// (shown, not followed).
type Choice struct {
	Type  string `json:"type,omitempty"`
	ID    string `json:"id"`
	Title string `json:"title"`
	// Description of a list row.
	Description string `json:"description,omitempty"`
}

// Section is a titled group of list rows.
type Section struct {
	Title string   `json:"title"`
	Rows  []Choice `json:"rows"`
}

// transcript holds the conversations, per business number, in order.
type transcript struct {
	mu    sync.Mutex
	order map[string][]*Bubble // channel → bubbles
	byID  map[string]*Bubble
}

func newTranscript() *transcript {
	return &transcript{order: map[string][]*Bubble{}, byID: map[string]*Bubble{}}
}

// put adds b, or replaces the bubble of the same id keeping its place, and
// returns a copy of what is stored.
func (t *transcript) put(b Bubble) Bubble {
	t.mu.Lock()
	defer t.mu.Unlock()
	if old, ok := t.byID[b.ID]; ok {
		if tickRank[old.Ticks] > tickRank[b.Ticks] && b.Ticks != ticksFailed {
			b.Ticks = old.Ticks
		}
		*old = b
		return b
	}
	stored := b
	t.byID[b.ID] = &stored
	list := append(t.order[b.Channel], &stored)
	if len(list) > maxBubbles {
		delete(t.byID, list[0].ID)
		list = list[1:]
	}
	t.order[b.Channel] = list
	return b
}

// tick raises the ticks of bubble id to ticks (never lowers them) and
// returns the bubble when it changed.
func (t *transcript) tick(id, ticks, note string) (Bubble, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	b, ok := t.byID[id]
	if !ok {
		return Bubble{}, false
	}
	changed := false
	if ticks == ticksFailed || tickRank[ticks] > tickRank[b.Ticks] {
		b.Ticks, changed = ticks, true
	}
	if note != "" && note != b.Note {
		b.Note, changed = note, true
	}
	return *b, changed
}

// all returns copies of every bubble, per channel in order.
func (t *transcript) all() []Bubble {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Bubble
	for _, list := range t.order {
		for _, b := range list {
			out = append(out, *b)
		}
	}
	return out
}

// get returns a copy of bubble id.
func (t *transcript) get(id string) (Bubble, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	b, ok := t.byID[id]
	if !ok {
		return Bubble{}, false
	}
	return *b, true
}
