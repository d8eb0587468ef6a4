package graphsim

import (
	"fmt"
	"time"
)

// Meta's rules for registering a number on the Cloud API.
const (
	// registerWindow and registerAttemptsPerWindow: 10 register (or
	// deregister) attempts per number in 72 hours; the 11th gets 133016.
	registerWindow            = 72 * time.Hour
	registerAttemptsPerWindow = 10

	CodePINMismatch             = 133005
	CodeTooManyRegisterAttempts = 133016
)

// handleRegister serves POST /{phone-number-id}/register. Every call
// counts against the number's attempts (10 per 72 hours, then 133016; the
// limit is the number's, so the WABA's usage header says nothing of it);
// the display name must be approved; a
// number with a two-step PIN must be given that PIN (133005), and a number
// without one gets the PIN given.
func (s *Server) handleRegister(req *request) (any, *metaError) {
	var body struct {
		MessagingProduct string `json:"messaging_product"`
		PIN              string `json:"pin"`
	}
	if err := decodeBody(req, &body); err != nil {
		return nil, err
	}
	if body.MessagingProduct != messagingProduct {
		return nil, errParamRequired("messaging_product")
	}
	if len(body.PIN) != 6 || digits(body.PIN) != body.PIN {
		return nil, errInvalidParam("Param pin must be 6 characters long.", "", "")
	}
	p := s.phones[req.route.object]
	now := s.now()
	p.registerAttempts = recentAttempts(p.registerAttempts, now)
	if len(p.registerAttempts) >= registerAttemptsPerWindow {
		return nil, errTooManyRegisterAttempts()
	}
	p.registerAttempts = append(p.registerAttempts, now)
	if p.NameStatus != "APPROVED" && p.NameStatus != "AVAILABLE_WITHOUT_REVIEW" {
		return nil, errInvalidParam("Invalid parameter", "Display name not approved",
			fmt.Sprintf("The display name of this phone number is %s: a number can be registered once its display name is approved.", p.NameStatus))
	}
	if p.pin != "" && p.pin != body.PIN {
		return nil, errPINMismatch()
	}
	p.pin = body.PIN
	p.PlatformType = platformCloudAPI
	p.Status = statusConnected
	return success(), nil
}

// recentAttempts keeps the attempts inside the window.
func recentAttempts(at []time.Time, now time.Time) []time.Time {
	var out []time.Time
	for _, t := range at {
		if now.Sub(t) < registerWindow {
			out = append(out, t)
		}
	}
	return out
}

func errPINMismatch() *metaError {
	return &metaError{Code: CodePINMismatch, Type: typeOAuth, Message: "(#133005) Two step verification PIN Mismatch",
		Details: "The two-step verification PIN is incorrect. Verify the PIN and try again."}
}

func errTooManyRegisterAttempts() *metaError {
	return &metaError{Code: CodeTooManyRegisterAttempts, Type: typeOAuth,
		Message: "(#133016) Account register deregister rate limit exceeded",
		Details: "Registration or deregistration failed because there were too many attempts for this phone number in a short period of time."}
}

// SetTwoStepPIN sets a phone number's two-step verification PIN, as one
// set earlier in WhatsApp Manager ("" removes it).
func (s *Server) SetTwoStepPIN(phoneNumberID, pin string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.phones[phoneNumberID]
	if !ok {
		return errNoPhone(phoneNumberID)
	}
	p.pin = pin
	return nil
}

// TwoStepPIN returns a phone number's two-step verification PIN.
func (s *Server) TwoStepPIN(phoneNumberID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.phones[phoneNumberID]
	if !ok {
		return "", false
	}
	return p.pin, true
}

// SpendRegisterAttempts records n register attempts made now, as someone
// trying by hand would: with 10 in 72 hours, the next one gets 133016.
func (s *Server) SpendRegisterAttempts(phoneNumberID string, n int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.phones[phoneNumberID]
	if !ok {
		return errNoPhone(phoneNumberID)
	}
	for range n {
		p.registerAttempts = append(p.registerAttempts, s.now())
	}
	return nil
}
