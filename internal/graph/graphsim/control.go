package graphsim

import "sort"

// Phone quality ratings.
const (
	qualityRed     = "RED"
	eventFlagged   = "FLAGGED"
	eventUnflagged = "UNFLAGGED"
)

// SetQualityRating sets a phone number's quality_rating (GREEN, YELLOW,
// RED, UNKNOWN). Crossing into or out of RED sends a
// phone_number_quality_update (FLAGGED / UNFLAGGED) to subscribed apps'
// callbacks.
func (s *Server) SetQualityRating(phoneNumberID, rating string) error {
	s.mu.Lock()
	p, ok := s.phones[phoneNumberID]
	if !ok {
		s.mu.Unlock()
		return errNoPhone(phoneNumberID)
	}
	prev := p.QualityRating
	p.QualityRating = rating
	event := ""
	switch {
	case rating == qualityRed && prev != qualityRed:
		event = eventFlagged
	case prev == qualityRed && rating != qualityRed:
		event = eventUnflagged
	}
	if event != "" {
		s.queueAppWebhooksLocked(p.wabaID, fieldPhoneQuality, PhoneQualityWebhook(PhoneQuality{
			WABAID: p.wabaID, DisplayPhoneNumber: digits(p.DisplayPhoneNumber), Event: event,
			CurrentLimit: p.MessagingLimitTier, Time: s.now(),
		}))
	}
	s.mu.Unlock()
	s.flushOutbox()
	return nil
}

// UpdatePhoneNumber changes a phone number's stored fields with fn (for
// example its messaging tier or code verification status).
func (s *Server) UpdatePhoneNumber(phoneNumberID string, fn func(*PhoneNumber)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.phones[phoneNumberID]
	if !ok {
		return errNoPhone(phoneNumberID)
	}
	id := p.ID
	fn(&p.PhoneNumber)
	p.ID = id
	return nil
}

// CloseWindow closes the 24-hour customer-service window between a phone
// number and a recipient (digits of the wa_id, or "" for every recipient):
// free-form sends then fail with 131047.
func (s *Server) CloseWindow(phoneNumberID, recipient string) error {
	return s.setWindow(phoneNumberID, recipient, true)
}

// OpenWindow reopens a window closed by CloseWindow ("" reopens all).
func (s *Server) OpenWindow(phoneNumberID, recipient string) error {
	return s.setWindow(phoneNumberID, recipient, false)
}

func (s *Server) setWindow(phoneNumberID, recipient string, closed bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.phones[phoneNumberID]
	if !ok {
		return errNoPhone(phoneNumberID)
	}
	key := digits(recipient)
	if recipient == "" {
		key = "*"
	}
	switch {
	case closed:
		p.closed[key] = true
	case recipient == "":
		p.closed = map[string]bool{}
	default:
		delete(p.closed, key)
	}
	return nil
}

// Templates returns copies of the WABA's templates in creation order.
func (s *Server) Templates(wabaID string) []Template {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	var out []Template
	for _, t := range s.sortedTemplatesLocked(wabaID) {
		out = append(out, t.clone())
	}
	return out
}

// Template returns a copy of one template.
func (s *Server) Template(templateID string) (Template, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	t, ok := s.templates[templateID]
	if !ok {
		return Template{}, false
	}
	return t.clone(), true
}

// Subscriptions returns the apps subscribed to the WABA.
func (s *Server) Subscriptions(wabaID string) []Subscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.wabas[wabaID]
	if !ok {
		return nil
	}
	return append([]Subscription(nil), w.subscriptions...)
}

// Profile returns a phone number's business profile.
func (s *Server) Profile(phoneNumberID string) (BusinessProfile, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.phones[phoneNumberID]
	if !ok {
		return BusinessProfile{}, false
	}
	return p.profile, true
}

// SetProfile replaces a phone number's business profile.
func (s *Server) SetProfile(phoneNumberID string, bp BusinessProfile) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.phones[phoneNumberID]
	if !ok {
		return errNoPhone(phoneNumberID)
	}
	p.profile = bp
	return nil
}

// PhoneNumbers returns the WABA's phone numbers.
func (s *Server) PhoneNumbers(wabaID string) []PhoneNumber {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.wabas[wabaID]
	if !ok {
		return nil
	}
	out := make([]PhoneNumber, 0, len(w.phones))
	for _, id := range w.phones {
		out = append(out, s.phones[id].PhoneNumber)
	}
	return out
}

// State is a snapshot of everything the simulator holds, for the demo's
// GET /_sim/state. Token values and secrets are not included.
type State struct {
	WABAs        []WABAState    `json:"wabas"`
	SentMessages []SentMessage  `json:"sentMessages"`
	Calls        map[string]int `json:"calls"`
	Deliveries   []Delivery     `json:"deliveries"`
}

// WABAState is one WABA in a State.
type WABAState struct {
	WABA
	PhoneNumbers  []PhoneNumber              `json:"phoneNumbers"`
	Profiles      map[string]BusinessProfile `json:"profiles"`
	Subscriptions []Subscription             `json:"subscriptions"`
	Templates     []Template                 `json:"templates"`
}

// Snapshot returns the simulator's state.
func (s *Server) Snapshot() State {
	s.mu.Lock()
	s.settleLocked()
	ids := make([]string, 0, len(s.wabas))
	for id := range s.wabas {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	sort.Strings(ids)
	st := State{SentMessages: s.SentMessages(""), Calls: s.CallCounts(), Deliveries: s.Deliveries()}
	for _, id := range ids {
		ws := WABAState{PhoneNumbers: s.PhoneNumbers(id), Profiles: map[string]BusinessProfile{},
			Subscriptions: s.Subscriptions(id), Templates: s.Templates(id)}
		s.mu.Lock()
		ws.WABA = s.wabas[id].WABA
		s.mu.Unlock()
		for _, p := range ws.PhoneNumbers {
			ws.Profiles[p.ID], _ = s.Profile(p.ID)
		}
		st.WABAs = append(st.WABAs, ws)
	}
	return st
}
