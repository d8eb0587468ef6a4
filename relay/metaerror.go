package relay

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
)

// Meta error codes the relay answers with itself.
const (
	codeServiceUnavailable = 2
	codeInvalidParameter   = 100
	codeUnknownPath        = 2500
	codeThroughput         = 130429
	codeSomethingWrong     = 131000
	codeParameterInvalid   = 131009
	codeReengagement       = 131047
	subcodeObjectMissing   = 33

	typeOAuth       = "OAuthException"
	typeGraphMethod = "GraphMethodException"

	// detailsPrefix marks every error the relay wrote itself, so nobody
	// takes it for Meta's.
	detailsPrefix = "whatsapp-operator relay: "
)

// metaError is an answer in Meta's error shape that the relay writes
// itself: a refusal before Meta was asked, or what it makes of a failure.
type metaError struct {
	status  int
	code    int
	subcode int
	typ     string
	message string
	details string
}

// wireMetaError is Meta's error envelope.
type wireMetaError struct {
	Error wireMetaErrorBody `json:"error"`
}

type wireMetaErrorBody struct {
	Message     string            `json:"message"`
	Type        string            `json:"type"`
	Code        int               `json:"code"`
	Subcode     int               `json:"error_subcode,omitempty"`
	Data        map[string]string `json:"error_data,omitempty"`
	IsTransient bool              `json:"is_transient"`
	FBTraceID   string            `json:"fbtrace_id"`
}

// body renders e as Meta's error envelope; its fbtrace_id is a relay id.
func (e *metaError) body() []byte {
	w := wireMetaError{Error: wireMetaErrorBody{
		Message: e.message, Type: e.typ, Code: e.code, Subcode: e.subcode,
		IsTransient: e.status == http.StatusServiceUnavailable,
		FBTraceID:   traceID(),
	}}
	if e.details != "" {
		w.Error.Data = map[string]string{"messaging_product": "whatsapp", "details": detailsPrefix + e.details}
	}
	out, _ := json.Marshal(w)
	return out
}

// Error makes a metaError an error (for tests and logs).
func (e *metaError) Error() string { return fmt.Sprintf("%d %s: %s", e.code, e.message, e.details) }

// traceID is a random id in place of Meta's fbtrace_id.
func traceID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "relay-" + hex.EncodeToString(b[:])
}

// invalid is a 400 with Meta's code 131009 naming the limit broken.
func invalid(format string, args ...any) *metaError {
	msg := fmt.Sprintf(format, args...)
	return &metaError{status: http.StatusBadRequest, code: codeParameterInvalid, typ: typeOAuth,
		message: "(#131009) Parameter value is not valid: " + msg, details: msg}
}

// missing is a 400 with Meta's code 100 for a required parameter.
func missing(param, why string) *metaError {
	return &metaError{status: http.StatusBadRequest, code: codeInvalidParameter, typ: typeOAuth,
		message: "(#100) The parameter " + param + " is required", details: why}
}

// badRequest is a 400 with Meta's code 100.
func badRequest(msg string) *metaError {
	return &metaError{status: http.StatusBadRequest, code: codeInvalidParameter, typ: typeOAuth,
		message: "(#100) " + msg, details: msg}
}

// unknownSender is Meta's answer for an id that is not a phone number the
// token may use: here, any number that no Ready channel of this provider
// holds.
func unknownSender(method, id string) *metaError {
	return &metaError{status: http.StatusBadRequest, code: codeInvalidParameter, subcode: subcodeObjectMissing, typ: typeGraphMethod,
		message: fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", method, id),
		details: fmt.Sprintf("phone number id %s belongs to no Ready WhatsAppChannel of this MetaProvider; nothing was sent", id)}
}

// unavailable is a 503 with Meta's code 2: nothing was sent, try again.
func unavailable(why string) *metaError {
	return &metaError{status: http.StatusServiceUnavailable, code: codeServiceUnavailable, typ: typeOAuth,
		message: "(#2) Service temporarily unavailable", details: why}
}
