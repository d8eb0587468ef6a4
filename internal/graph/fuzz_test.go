package graph

import (
	"errors"
	"strings"
	"testing"
)

// FuzzMetaErrorNeverLeaks feeds arbitrary Graph answers through the error
// path: parsing, classification and the plain-English description must
// never panic, and the token and app secret must never come out, even when
// Meta's answer echoes them (escaped or not).
func FuzzMetaErrorNeverLeaks(f *testing.F) {
	const token, secret = "EAAGfuzzTokenValue123", "fuzz-app-secret-456"
	seeds := []string{
		`{"error":{"message":"Invalid OAuth access token - Cannot parse access token","type":"OAuthException","code":190,"fbtrace_id":"AbC"}}`,
		`{"error":{"message":"(#80007) Rate limit","code":80007,"error_subcode":2494055,"error_user_title":"t","error_user_msg":"m"}}`,
		`{"error":{"message":"bad token EAAGfuzzTokenValue123 in request","code":100}}`,
		`{"error":{"message":"secret fuzz-app-secret-456","code":1,"error_data":{"details":"EAAGfuzzTokenValue123"}}}`,
		`<html><body>502 Bad Gateway</body></html>`,
		`{"error":"just a string"}`,
		`{"error":{"code":"not a number"}}`,
		``,
	}
	for _, s := range seeds {
		f.Add(400, []byte(s))
		f.Add(500, []byte(s))
	}
	scrub := newScrubber(token, secret)
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := parseError(EndpointGetBusinessAccount, status, body, scrub)
		var err error = e
		for _, text := range []string{err.Error(), Describe(err), string(Classify(err)), e.Message, e.Details, e.UserMessage, e.UserTitle} {
			if strings.Contains(text, token) || strings.Contains(text, secret) {
				t.Fatalf("a credential leaked: %q", text)
			}
		}
		if !errors.As(err, new(*Error)) {
			t.Fatal("parseError's result is not an *Error")
		}
	})
}
