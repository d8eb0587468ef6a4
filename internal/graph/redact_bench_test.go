package graph

import (
	"net/url"
	"strings"
	"testing"

	"github.com/kubechat/whatsapp-operator/internal/benchratio"
)

// BenchmarkScrubErrorBody times scrubbing one error answer as the client
// does (the body and the fields of Meta's error object, each capped):
// a 1 KiB body with the escapes Meta's JSON carries (\/ in a URL, \u00e4),
// so the decoded views are built.
//
//   - x-replacer: the literal replacer alone (raw, query- and
//     path-escaped forms), what the scrubber did before it looked through
//     escapes. The ratio is the price of finding escaped spellings; it is
//     paid only on the error path.
func BenchmarkScrubErrorBody(b *testing.B) {
	const token, secret = "EAAGbenchTokenValue0123456789", "bench-app-secret-4567"
	body := `{"error":{"message":"(#100) Invalid parameter \u00e4 see https:\/\/developers.facebook.com\/docs\/graph-api","type":"OAuthException","code":100,` +
		`"error_data":{"details":"` + strings.Repeat(`the value \u00e4 is not allowed \/ `, 20) + `"},"fbtrace_id":"AbCdEf"}}`
	s := newScrubber(token, secret)
	var forms []string
	for _, v := range []string{token, secret} {
		for _, f := range []string{v, url.QueryEscape(v), url.PathEscape(v)} {
			forms = append(forms, f, redacted)
		}
	}
	literal := strings.NewReplacer(forms...)
	fields := []string{"(#100) Invalid parameter", "OAuthException", strings.Repeat("the value ä is not allowed / ", 20), "AbCdEf"}
	ours := func() error {
		_ = s.scrubCapped(body, maxBodyInError)
		for _, f := range fields {
			_ = s.scrubCapped(f, maxFieldInError)
		}
		return nil
	}
	replacer := func() error {
		_ = literal.Replace(body)
		for _, f := range fields {
			_ = literal.Replace(f)
		}
		return nil
	}
	benchratio.Run(b, ours, benchratio.Baseline{Unit: "x-replacer", Op: replacer})
}
