package graph

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Hints appended by Describe, one per class: what a human should do.
const (
	hintBadCredentials    = "The access token is invalid, expired or revoked: put a new system-user token in the credentials Secret."
	hintBadAppCredentials = "Meta refused the app credentials used to inspect the token, not the access token: the app id or app secret is wrong; check spec.appID and the appSecret key of the credentials Secret."
	hintPermission        = "The token lacks a permission or the asset is not shared with its system user: grant whatsapp_business_management and whatsapp_business_messaging and assign the WABA in Business Settings."
	hintRateLimited       = "Meta's rate limit was reached: the operator retries after the wait."
	hintHeldBack          = "Meta refused nothing: the operator keeps within Meta's limits and sends it when the budget allows."
	hintEditBudget        = "Approved templates can be edited once per 24 hours and 10 times per 30 days: the operator retries when the budget allows, or use a new template name."
	hintWindowClosed      = "The customer-service window is closed: only an approved template can reach this user now."
	hintTemplate          = "Meta refused the template: fix the template spec (or pick another name) and apply it again."
	hintTemplateExists    = "A template with this name and language already exists in the WABA."
	hintNotFound          = "Meta does not know the object or refused a parameter: check the IDs and values in the spec."
	hintTransient         = "A temporary failure at Meta or on the network: the operator retries."
	hintCallback          = "Meta could not verify the callback URL: it must be reachable from the internet over HTTPS and answer the verification handshake."
	hintSpam              = "Meta restricted the number's sending after users blocked or reported it (spam rate limit): improve message quality; the operator retries after the wait."
	hintPermanent         = "Meta refused the request: check the spec against Meta's message."
)

// Describe renders err as one plain-English line for a condition message or
// an Event: what failed, Meta's code/subcode/fbtrace_id, and what to do. It
// never contains a credential.
func Describe(err error) string {
	if err == nil {
		return ""
	}
	var le *LimitError
	if errors.As(err, &le) {
		return describeLimit(le)
	}
	var me *Error
	if errors.As(err, &me) {
		return describeMeta(me)
	}
	var te *TransportError
	if errors.As(err, &te) {
		what := "could not reach the Graph API"
		if te.Timeout {
			what = "timed out waiting for the Graph API"
		}
		return fmt.Sprintf("%s %s (%s). %s", action(te.Endpoint), what, te.msg, hintTransient)
	}
	return fmt.Sprintf("Graph API call failed: %s. %s", err.Error(), hintFor(Classify(err), nil))
}

func describeMeta(e *Error) string {
	var b strings.Builder
	b.WriteString(action(e.Endpoint))
	if !e.FromMeta {
		fmt.Fprintf(&b, " failed with HTTP %d and no Graph error object.", e.HTTPStatus)
	} else {
		if e.NoCode {
			fmt.Fprintf(&b, " failed with HTTP %d: Meta error without a code", e.HTTPStatus)
		} else {
			fmt.Fprintf(&b, " failed: Meta error code %d", e.Code)
		}
		if e.Subcode != 0 {
			fmt.Fprintf(&b, ", subcode %d", e.Subcode)
		}
		if e.FBTraceID != "" {
			fmt.Fprintf(&b, ", fbtrace_id %s", e.FBTraceID)
		}
		fmt.Fprintf(&b, ": %s", sentence(e.Message))
		for _, s := range []string{e.UserTitle, e.UserMessage, e.Details} {
			if s != "" && !strings.Contains(b.String(), sentence(s)) {
				fmt.Fprintf(&b, "; %s", sentence(s))
			}
		}
		b.WriteString(".")
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " Retry in %s.", roundWait(e.RetryAfter))
	}
	b.WriteString(" ")
	b.WriteString(hintFor(classifyMeta(e), e))
	return b.String()
}

func hintFor(c Class, e *Error) string {
	if e != nil && e.AppCredentials {
		return hintBadAppCredentials
	}
	if h := registrationHint(e); h != "" {
		return h
	}
	switch c {
	case ClassBadCredentials:
		return hintBadCredentials
	case ClassPermission:
		return hintPermission
	case ClassRateLimited:
		if e != nil && isEditLimit(e) {
			return hintEditBudget
		}
		if e != nil && e.FromMeta && !e.NoCode && e.Code == CodeSpamRateLimit {
			return hintSpam
		}
		return hintRateLimited
	case ClassWindowClosed:
		return hintWindowClosed
	case ClassTemplate:
		if e != nil && e.Subcode == SubcodeTemplateExists {
			return hintTemplateExists
		}
		return hintTemplate
	case ClassNotFound:
		return hintNotFound
	case ClassTransient:
		return hintTransient
	}
	if e != nil && e.FromMeta && !e.NoCode && e.Code == CodeCallbackVerification {
		return hintCallback
	}
	return hintPermanent
}

// action turns a logical endpoint into a phrase: "list_templates" →
// "Graph API list templates".
func action(endpoint string) string {
	if endpoint == "" {
		return "Graph API call"
	}
	return "Graph API " + strings.ReplaceAll(endpoint, "_", " ")
}

// sentence trims space and trailing full stops, and folds newlines, so
// parts join into one line.
func sentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.TrimRight(s, ".")
}

func roundWait(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Second)
}
