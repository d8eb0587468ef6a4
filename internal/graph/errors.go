package graph

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

const (
	errFmtMeta          = "graph %s: Meta error code %d%s: %s (HTTP %d%s)"
	errFmtNoErrorObject = "graph %s: HTTP %d without a Graph error object"
	errFmtMetaNoCode    = "graph %s: Meta error without a code: %s (HTTP %d%s)"
	maxBodyInError      = 64 << 10
	// maxFieldInError caps each string of Meta's error object (message,
	// user message, details...): they reach conditions and Events.
	maxFieldInError = 8 << 10
)

// Error is Meta's error object, as answered by the Graph API:
//
//	{"error":{"message","type","code","error_subcode","error_user_title",
//	          "error_user_msg","error_data":{"details"},"is_transient","fbtrace_id"}}
//
// It is also used, with FromMeta false, for a non-2xx answer that carried no
// such object (a proxy's 502 page, for example). Every string in it has been
// scrubbed of the credentials used for the call.
type Error struct {
	// HTTPStatus is the HTTP status of the answer. Meta sends most errors,
	// rate limits included, as 400: classify by Code, not by this.
	HTTPStatus int
	// Code and Subcode are Meta's code and error_subcode (0 when absent).
	Code, Subcode int
	// NoCode reports that Meta's error object carried no code at all (a
	// proxy or Meta's edge answering {"error":{"message":...}}). Code is
	// then 0 but means nothing: such an error is classified by HTTP status,
	// never as bad credentials (code 0, AuthException, counts only when Meta
	// sent it).
	NoCode bool
	// Type is Meta's type, such as "OAuthException".
	Type string
	// Message is Meta's message, usually starting with "(#code)".
	Message string
	// UserTitle and UserMessage are error_user_title and error_user_msg.
	UserTitle, UserMessage string
	// Details is error_data.details, when present.
	Details string
	// Transient is Meta's is_transient hint.
	Transient bool
	// FBTraceID identifies the request for Meta support.
	FBTraceID string
	// Endpoint is the logical endpoint (an Endpoint* constant) that failed.
	Endpoint string
	// RetryAfter is how long to wait before trying again, when known: from
	// the usage header's estimated_time_to_regain_access, a Retry-After
	// header, or a per-code default for rate limits.
	RetryAfter time.Duration
	// AppCredentials reports that Meta refused the app's own credentials
	// (the app token <app-id>|<app-secret> that debug_token authenticates
	// with), not the access token: the app id or app secret is wrong.
	AppCredentials bool
	// FromMeta reports whether the body carried Meta's error object.
	FromMeta bool
	// Body is the response body as received (capped, credentials scrubbed),
	// for the relay, which answers chatbots with Meta's own error.
	Body []byte
}

// Error renders the endpoint, Meta's code/subcode and message, the HTTP
// status and the fbtrace_id.
func (e *Error) Error() string {
	if !e.FromMeta {
		return fmt.Sprintf(errFmtNoErrorObject, e.Endpoint, e.HTTPStatus)
	}
	sub := ""
	if e.Subcode != 0 {
		sub = fmt.Sprintf(", subcode %d", e.Subcode)
	}
	msg := e.Message
	if e.UserTitle != "" && !strings.Contains(msg, e.UserTitle) {
		msg += ": " + e.UserTitle
	}
	trace := ""
	if e.FBTraceID != "" {
		trace = ", fbtrace_id " + e.FBTraceID
	}
	if e.NoCode {
		return fmt.Sprintf(errFmtMetaNoCode, e.Endpoint, msg, e.HTTPStatus, trace)
	}
	return fmt.Sprintf(errFmtMeta, e.Endpoint, e.Code, sub, msg, e.HTTPStatus, trace)
}

// wireError is the JSON shape of Meta's error envelope.
type wireError struct {
	Error *struct {
		Message     string          `json:"message"`
		Type        string          `json:"type"`
		Code        *int            `json:"code"`
		Subcode     int             `json:"error_subcode"`
		UserTitle   string          `json:"error_user_title"`
		UserMessage string          `json:"error_user_msg"`
		Data        json.RawMessage `json:"error_data"`
		IsTransient bool            `json:"is_transient"`
		FBTraceID   string          `json:"fbtrace_id"`
	} `json:"error"`
}

// parseError builds an *Error from a non-2xx answer. s removes credentials
// from every string taken from the body. Each is capped as it is scrubbed,
// never before (a cut could leave a prefix of a credential the scrubber no
// longer recognises) and never through a credential (scrubCapped): an
// answer may be up to maxResponseBytes, and only the start of it is kept.
func parseError(endpoint string, status int, body []byte, s scrubber) *Error {
	e := &Error{HTTPStatus: status, Endpoint: endpoint}
	e.Body = []byte(s.scrubCapped(string(body), maxBodyInError))
	scrub := func(text string) string { return s.scrubCapped(text, maxFieldInError) }
	var w wireError
	if err := json.Unmarshal(body, &w); err != nil || w.Error == nil {
		return e
	}
	we := w.Error
	e.FromMeta = true
	if we.Code != nil {
		e.Code = *we.Code
	} else {
		e.NoCode = true
	}
	e.Subcode = we.Subcode
	e.Type = scrub(we.Type)
	e.Message = scrub(we.Message)
	e.UserTitle = scrub(we.UserTitle)
	e.UserMessage = scrub(we.UserMessage)
	e.Transient = we.IsTransient
	e.FBTraceID = scrub(we.FBTraceID)
	e.Details = scrub(errorDetails(we.Data))
	return e
}

// errorDetails reads error_data, which Meta sends as an object with a
// "details" field or, sometimes, as a plain string.
func errorDetails(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var obj struct {
		Details string `json:"details"`
	}
	if err := json.Unmarshal(raw, &obj); err == nil {
		return obj.Details
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	return ""
}

// Is makes errors.Is(err, ErrEditBudgetExhausted) true when Meta refused a
// template edit because the template's edit budget is used up.
func (e *Error) Is(target error) bool {
	return target == ErrEditBudgetExhausted && isEditLimit(e)
}
