package graphsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Meta error codes and subcodes the simulator answers with.
const (
	CodeUnknown               = 1
	CodeServiceUnavailable    = 2
	CodeAppRateLimit          = 4
	CodeInvalidParameter      = 100
	CodeTokenRequired         = 104
	CodeInvalidToken          = 190
	CodePermission            = 200
	CodeCallbackVerification  = 2200
	CodeUnknownPath           = 2500
	CodeWABARateLimit         = 80007
	CodeThroughput            = 130429
	CodeReengagement          = 131047
	CodePairRateLimit         = 131056
	CodeTemplateMissing       = 132001
	CodeNotRegistered         = 133010
	SubcodeObjectMissing      = 33
	SubcodeTokenInvalidated   = 460
	SubcodeTokenExpired       = 463
	SubcodeTemplateNameLocked = 2388023
	SubcodeTemplateExists     = 2388024

	typeOAuth       = "OAuthException"
	typeGraphMethod = "GraphMethodException"
)

// metaError is one error answer.
type metaError struct {
	status    int
	Code      int
	Subcode   int
	Type      string
	Message   string
	UserTitle string
	UserMsg   string
	Details   string
	// regainMinutes, when set, goes into the usage header of the answer.
	regainMinutes int
}

// writeError writes e as Meta's error envelope with a fresh fbtrace_id.
func (s *Server) writeError(w http.ResponseWriter, e *metaError) {
	body := map[string]any{
		"message":    e.Message,
		"type":       e.Type,
		"code":       e.Code,
		"fbtrace_id": s.traceID(),
	}
	if e.Subcode != 0 {
		body["error_subcode"] = e.Subcode
	}
	if e.UserTitle != "" {
		body["error_user_title"] = e.UserTitle
	}
	if e.UserMsg != "" {
		body["error_user_msg"] = e.UserMsg
	}
	if e.Details != "" {
		body["error_data"] = map[string]string{"messaging_product": "whatsapp", "details": e.Details}
	}
	status := e.status
	if status == 0 {
		status = http.StatusBadRequest
	}
	writeJSON(w, status, map[string]any{"error": body})
}

// traceID returns a random fbtrace_id from the seeded source.
func (s *Server) traceID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	b.WriteString("A")
	for range 20 {
		b.WriteByte(alphabet[s.rng.IntN(len(alphabet))])
	}
	return b.String()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func errUnknownPath(path string) *metaError {
	return &metaError{Code: CodeUnknownPath, Type: typeOAuth, Message: "Unknown path components: " + path}
}

func errUnsupported(method, id string) *metaError {
	return &metaError{Code: CodeInvalidParameter, Subcode: SubcodeObjectMissing, Type: typeGraphMethod,
		Message: fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", strings.ToLower(method), id)}
}

func errNonexistingField(edge, kind string) *metaError {
	return &metaError{Code: CodeInvalidParameter, Type: typeOAuth,
		Message: fmt.Sprintf("(#100) Tried accessing nonexisting field (%s) on node type (%s)", edge, kind)}
}

func errInvalidParam(msg, title, userMsg string) *metaError {
	return &metaError{Code: CodeInvalidParameter, Type: typeOAuth, Message: "(#100) " + msg, UserTitle: title, UserMsg: userMsg}
}

func errTokenRequired() *metaError {
	return &metaError{Code: CodeTokenRequired, Type: typeOAuth, Message: "An access token is required to request this resource."}
}

func errInvalidToken() *metaError {
	return &metaError{status: http.StatusUnauthorized, Code: CodeInvalidToken, Type: typeOAuth,
		Message: "Invalid OAuth access token - Cannot parse access token"}
}

func errTokenInvalidated() *metaError {
	return &metaError{status: http.StatusUnauthorized, Code: CodeInvalidToken, Subcode: SubcodeTokenInvalidated, Type: typeOAuth,
		Message: "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons."}
}

func errTokenExpired() *metaError {
	return &metaError{status: http.StatusUnauthorized, Code: CodeInvalidToken, Subcode: SubcodeTokenExpired, Type: typeOAuth,
		Message: "Error validating access token: Session has expired."}
}

func errAppSignature() *metaError {
	return &metaError{status: http.StatusUnauthorized, Code: CodeInvalidToken, Type: typeOAuth, Message: "Invalid OAuth access token signature."}
}

func errMissingPermission(scope string) *metaError {
	return &metaError{status: http.StatusForbidden, Code: CodePermission, Type: typeOAuth,
		Message: fmt.Sprintf("(#200) Requires %s permission to manage the object", scope)}
}

// rateLimitMessages are Meta's messages for the rate-limit codes.
var rateLimitMessages = map[int]string{
	CodeAppRateLimit:  "(#4) Application request limit reached",
	17:                "(#17) User request limit reached",
	32:                "(#32) Page request limit reached",
	613:               "(#613) Calls to this api have exceeded the rate limit.",
	CodeWABARateLimit: "(#80007) There have been too many calls to this WhatsApp Business account. Wait a bit and try again.",
	CodeThroughput:    "(#130429) Rate limit hit",
	CodePairRateLimit: "(#131056) (Business Account, Consumer Account) pair rate limit hit",
}

func errRateLimit(code, regainMinutes int) *metaError {
	msg, ok := rateLimitMessages[code]
	if !ok {
		msg = fmt.Sprintf("(#%d) Rate limit hit", code)
	}
	return &metaError{Code: code, Type: typeOAuth, Message: msg, regainMinutes: regainMinutes}
}

func errServer(status int) *metaError {
	if status == http.StatusServiceUnavailable {
		return &metaError{status: status, Code: CodeServiceUnavailable, Type: typeOAuth, Message: "(#2) Service temporarily unavailable"}
	}
	return &metaError{status: status, Code: CodeUnknown, Type: typeOAuth, Message: "An unknown error has occurred."}
}

func errWindowClosed() *metaError {
	return &metaError{Code: CodeReengagement, Type: typeOAuth, Message: "(#131047) Re-engagement message",
		Details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number."}
}

func errNotRegistered() *metaError {
	return &metaError{Code: CodeNotRegistered, Type: typeOAuth, Message: "(#133010) Account not registered"}
}

func errTemplateMissing(name, language string) *metaError {
	return &metaError{status: http.StatusNotFound, Code: CodeTemplateMissing, Type: typeOAuth,
		Message: "(#132001) Template name does not exist in the translation",
		Details: fmt.Sprintf("template name (%s) does not exist in %s", name, language)}
}

func errCallbackVerification(detail string) *metaError {
	return &metaError{Code: CodeCallbackVerification, Type: typeOAuth,
		Message: "(#2200) Callback verification failed with the following errors: " + detail}
}
