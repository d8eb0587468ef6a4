package graph

// Hints for the answers about a number's registration on the Cloud API.
const (
	hintNotRegistered = "The phone number is not registered on the Cloud API, so Meta neither sends nor delivers its messages: register it with its six-digit two-step verification PIN (POST /{phone-number-id}/register, or spec.registration of its WhatsAppChannel)."
	hintPINMismatch   = "The two-step verification PIN does not match the one the number has: put the number's PIN in the Secret, or reset the PIN in WhatsApp Manager; every wrong attempt counts against Meta's limit of 10 per 72 hours."
	hintRegisterLimit = "Meta allows 10 registration attempts per number in 72 hours and this number used them up: nothing is tried again before the wait is over; fix the PIN meanwhile."
)

// registrationHint returns the hint for Meta's registration codes, or "".
func registrationHint(e *Error) string {
	if e == nil || !e.FromMeta || e.NoCode {
		return ""
	}
	switch e.Code {
	case CodeNotRegistered:
		return hintNotRegistered
	case CodePINMismatch:
		return hintPINMismatch
	case CodeTooManyRegisterAttempts:
		return hintRegisterLimit
	}
	return ""
}
