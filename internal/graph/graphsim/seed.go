package graphsim

import (
	"errors"
	"fmt"
	"slices"
)

// ErrNotFound is wrapped by control methods given an unknown id.
var ErrNotFound = errors.New("graphsim: not found")

const (
	errFmtNoWABA     = "%w: WABA %q"
	errFmtNoPhone    = "%w: phone number %q"
	errFmtNoTemplate = "%w: template %q"
	errFmtNoToken    = "%w: token"
	errFmtIDInUse    = "graphsim: id %q is already in use"
)

func errNoWABA(id string) error     { return fmt.Errorf(errFmtNoWABA, ErrNotFound, id) }
func errNoPhone(id string) error    { return fmt.Errorf(errFmtNoPhone, ErrNotFound, id) }
func errNoTemplate(id string) error { return fmt.Errorf(errFmtNoTemplate, ErrNotFound, id) }

// Defaults given to seeded objects with empty fields.
const (
	defaultTokenType       = "SYSTEM_USER"
	defaultQuality         = "GREEN"
	defaultTier            = "TIER_1K"
	defaultVerification    = "VERIFIED"
	defaultNameStatus      = "APPROVED"
	defaultThroughput      = "STANDARD"
	defaultAccountMode     = "LIVE"
	defaultTemplateQuality = "UNKNOWN"
)

// AddApp adds (or replaces) an app and returns it; an empty ID is generated.
func (s *Server) AddApp(a App) App {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.ID == "" {
		a.ID = s.newIDLocked("app")
	}
	s.apps[a.ID] = &a
	return a
}

// AddWABA adds (or renames) a WABA and returns it; an empty ID is generated.
func (s *Server) AddWABA(w WABA) WABA {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w.ID == "" {
		w.ID = s.newIDLocked(kindWABA)
	}
	s.kinds[w.ID] = kindWABA
	if existing, ok := s.wabas[w.ID]; ok {
		existing.Name = w.Name
		return w
	}
	s.wabas[w.ID] = &wabaState{WABA: w}
	return w
}

// AddPhoneNumber adds a phone number to a WABA. Empty fields get a healthy,
// registered number's values (VERIFIED, GREEN, CONNECTED, CLOUD_API,
// TIER_1K); set PlatformType "NOT_APPLICABLE" for an unregistered number.
func (s *Server) AddPhoneNumber(wabaID string, p PhoneNumber) (PhoneNumber, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.wabas[wabaID]
	if !ok {
		return PhoneNumber{}, errNoWABA(wabaID)
	}
	if p.ID == "" {
		p.ID = s.newIDLocked(kindPhone)
	} else if k := s.kinds[p.ID]; k != "" && k != kindPhone {
		return PhoneNumber{}, fmt.Errorf(errFmtIDInUse, p.ID)
	}
	s.kinds[p.ID] = kindPhone
	fillPhoneDefaults(&p)
	if !slices.Contains(w.phones, p.ID) {
		w.phones = append(w.phones, p.ID)
	}
	s.phones[p.ID] = &phoneState{PhoneNumber: p, wabaID: wabaID, closed: map[string]bool{}}
	return p, nil
}

func fillPhoneDefaults(p *PhoneNumber) {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&p.CodeVerificationStatus, defaultVerification)
	def(&p.QualityRating, defaultQuality)
	def(&p.Status, statusConnected)
	def(&p.MessagingLimitTier, defaultTier)
	def(&p.PlatformType, platformCloudAPI)
	def(&p.NameStatus, defaultNameStatus)
	def(&p.ThroughputLevel, defaultThroughput)
	def(&p.AccountMode, defaultAccountMode)
	def(&p.VerifiedName, "Test Business")
}

// AddToken adds (or replaces) a token. Nil Scopes grants both WhatsApp
// scopes; pass an empty, non-nil slice for none. Empty WABAs reaches all.
func (s *Server) AddToken(t Token) Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.Scopes == nil {
		t.Scopes = []string{ScopeManagement, ScopeMessaging}
	}
	if t.Type == "" {
		t.Type = defaultTokenType
	}
	s.tokens[t.Value] = &t
	return t
}

// RevokeToken invalidates a token: every later call with it gets 190/460,
// and debug_token reports it invalid.
func (s *Server) RevokeToken(value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[value]
	if !ok {
		return fmt.Errorf(errFmtNoToken, ErrNotFound)
	}
	t.Revoked = true
	return nil
}

// AddTemplate seeds a template as if created and reviewed earlier. Empty
// ID is generated; empty Status is APPROVED; duplicates of name+language
// are refused.
func (s *Server) AddTemplate(wabaID string, t Template) (Template, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.wabas[wabaID]; !ok {
		return Template{}, errNoWABA(wabaID)
	}
	if s.findTemplateLocked(wabaID, t.Name, t.Language) != nil {
		return Template{}, fmt.Errorf("graphsim: template %s/%s exists", t.Name, t.Language)
	}
	if t.ID == "" {
		t.ID = s.newIDLocked(kindTemplate)
	}
	s.kinds[t.ID] = kindTemplate
	t.WABAID = wabaID
	if t.Status == "" {
		t.Status = StatusApproved
	}
	if t.QualityScore == "" {
		t.QualityScore = defaultTemplateQuality
	}
	if t.Components == nil {
		t.Components = []byte(`[{"type":"BODY","text":"Hello"}]`)
	}
	stored := t.clone()
	s.templates[t.ID] = &stored
	return t, nil
}
