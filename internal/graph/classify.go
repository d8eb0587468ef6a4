package graph

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"
)

// Class is what an error means for the caller: which condition reason to
// set and whether, and when, to retry.
type Class string

// The classes, decided by Meta's error code (never by HTTP status alone).
const (
	// ClassNone is the class of a nil error.
	ClassNone Class = ""
	// ClassBadCredentials: the token is invalid, expired or revoked (codes
	// 190 and 0 only). Stop retrying until the credentials change.
	ClassBadCredentials Class = "BadCredentials"
	// ClassPermission: the token lacks a permission or the asset is not
	// shared with it (3, 10, 200–299, 368, 131031). Needs a human.
	ClassPermission Class = "Permission"
	// ClassRateLimited: a Meta or client-side budget is exhausted (4, 17,
	// 32, 341, 613, 80007, 130429, 131048, 131056, 133016 register
	// attempts, edit budget). Retry after RetryAfter.
	ClassRateLimited Class = "RateLimited"
	// ClassWindowClosed: the 24-hour customer-service window is closed
	// (131047); send a template instead.
	ClassWindowClosed Class = "WindowClosed"
	// ClassTemplate: Meta refused because of a template (132xxx, or a
	// template name/language conflict on create: 100 with subcode 2388023
	// or 2388024).
	ClassTemplate Class = "Template"
	// ClassNotFound: an object does not exist or a parameter is invalid
	// (100, 131009, 133010).
	ClassNotFound Class = "NotFound"
	// ClassTransient: worth retrying with backoff (1, 2, 131000, 131016,
	// 131057, is_transient, 5xx, timeouts, connection errors).
	ClassTransient Class = "Transient"
	// ClassPermanent: anything else; retrying the same request will not help
	// (2200 among them: Meta could not verify the callback URL, and each
	// attempt costs Meta's several-second handshake).
	ClassPermanent Class = "Permanent"
)

// Meta error codes and subcodes the package names.
const (
	CodeAuthException           = 0
	CodeUnknown                 = 1
	CodeServiceUnavailable      = 2
	CodeCapability              = 3
	CodeAppRateLimit            = 4
	CodePermissionDenied        = 10
	CodeUserRateLimit           = 17
	CodePageRateLimit           = 32
	CodeInvalidParameter        = 100
	CodeInvalidApplication      = 101
	CodeInvalidToken            = 190
	CodePermission              = 200
	CodeAppLimit                = 341
	CodePolicyBlock             = 368
	CodeCustomRateLimit         = 613
	CodeCallbackVerification    = 2200
	CodeWABARateLimit           = 80007
	CodeThroughput              = 130429
	CodeSomethingWentWrong      = 131000
	CodeParameterValueInvalid   = 131009
	CodeServiceUnavailableWA    = 131016
	CodeAccountLocked           = 131031
	CodeReengagement            = 131047
	CodeSpamRateLimit           = 131048
	CodePairRateLimit           = 131056
	CodeAccountMaintenance      = 131057
	CodePINMismatch             = 133005
	CodeNotRegistered           = 133010
	CodeTooManyRegisterAttempts = 133016

	// SubcodeObjectMissing: with code 100, the object id does not exist or
	// the token cannot see it.
	SubcodeObjectMissing = 33
	// SubcodeTemplateNameLocked: a template of that name and language was
	// deleted recently and the name is held (about four weeks).
	SubcodeTemplateNameLocked = 2388023
	// SubcodeTemplateExists: "Content in This Language Already Exists".
	SubcodeTemplateExists = 2388024
)

var rateLimitCodes = map[int]bool{
	CodeAppRateLimit: true, CodeUserRateLimit: true, CodePageRateLimit: true, CodeAppLimit: true,
	CodeCustomRateLimit: true, CodeWABARateLimit: true, CodeThroughput: true, CodePairRateLimit: true,
	CodeSpamRateLimit: true, CodeTooManyRegisterAttempts: true,
}

var transientCodes = map[int]bool{
	CodeUnknown: true, CodeServiceUnavailable: true,
	CodeSomethingWentWrong: true, CodeServiceUnavailableWA: true, CodeAccountMaintenance: true,
}

var notFoundCodes = map[int]bool{
	CodeInvalidParameter: true, CodeParameterValueInvalid: true, CodeNotRegistered: true,
}

// Classify maps err to a Class. It understands *Error (by Meta code first),
// *LimitError, *TransportError, wrapped errors, net errors and context
// errors. A nil error is ClassNone.
func Classify(err error) Class {
	if err == nil {
		return ClassNone
	}
	var le *LimitError
	if errors.As(err, &le) {
		return ClassRateLimited
	}
	var me *Error
	if errors.As(err, &me) {
		return classifyMeta(me)
	}
	var te *TransportError
	if errors.As(err, &te) {
		return ClassTransient
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.As(err, &ne) {
		return ClassTransient
	}
	return ClassPermanent
}

func classifyMeta(e *Error) Class {
	if !e.FromMeta {
		return classifyStatus(e.HTTPStatus)
	}
	if e.NoCode {
		// An error object without a code (a proxy, Meta's edge) says
		// nothing about the credentials: go by Meta's hint and the status.
		if e.Transient {
			return ClassTransient
		}
		return classifyStatus(e.HTTPStatus)
	}
	switch c := e.Code; {
	case c == CodeInvalidToken || c == CodeAuthException:
		return ClassBadCredentials
	case c == CodeCapability || c == CodePermissionDenied || (c >= 200 && c <= 299) ||
		c == CodePolicyBlock || c == CodeAccountLocked:
		return ClassPermission
	case rateLimitCodes[c] || isEditLimit(e):
		return ClassRateLimited
	case c == CodeReengagement:
		return ClassWindowClosed
	case c >= 132000 && c <= 132999 || isTemplateConflict(e):
		return ClassTemplate
	case c == CodeCallbackVerification:
		// Retrying does not make the callback reachable; whatever
		// is_transient says, a human must fix the URL.
		return ClassPermanent
	case transientCodes[c] || e.Transient:
		return ClassTransient
	case notFoundCodes[c]:
		return ClassNotFound
	case e.HTTPStatus >= 500:
		return ClassTransient
	}
	return ClassPermanent
}

// classifyStatus classifies an answer that carried no Meta error object, or
// one without a code.
// Without Meta's code nothing is treated as bad credentials.
func classifyStatus(status int) Class {
	switch {
	case status == http.StatusTooManyRequests:
		return ClassRateLimited
	case status >= 500 || status == http.StatusRequestTimeout:
		return ClassTransient
	}
	return ClassPermanent
}

func isTemplateConflict(e *Error) bool {
	return e.Code == CodeInvalidParameter &&
		(e.Subcode == SubcodeTemplateExists || e.Subcode == SubcodeTemplateNameLocked)
}

// isEditLimit recognises Meta refusing an edit of an approved template
// because its edit budget is used up. Meta documents the rule (1 edit per
// 24 h, 10 per 30 days) but not a dedicated code; it answers code 100 on the
// edit endpoint with a title naming the limit, as graphsim does.
func isEditLimit(e *Error) bool {
	if e.Endpoint != EndpointEditTemplate || e.Code != CodeInvalidParameter {
		return false
	}
	text := strings.ToLower(e.UserTitle + " " + e.UserMessage + " " + e.Message)
	return strings.Contains(text, "edit") && strings.Contains(text, "limit")
}

// IsTemplateExists reports whether err is Meta refusing a template create
// because the name already exists in that language (100/2388024). Look the
// template up and adopt it.
func IsTemplateExists(err error) bool {
	var me *Error
	return errors.As(err, &me) && me.FromMeta && me.Code == CodeInvalidParameter && me.Subcode == SubcodeTemplateExists
}

// RetryAfter returns how long to wait before retrying err, or 0 when unknown.
func RetryAfter(err error) time.Duration {
	var le *LimitError
	if errors.As(err, &le) {
		return le.RetryAfter
	}
	var me *Error
	if errors.As(err, &me) {
		return me.RetryAfter
	}
	return 0
}
