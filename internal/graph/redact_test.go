package graph

import (
	"encoding/json"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestScrubberCatchesEscapedSpellings(t *testing.T) {
	const token = "EAAGtok3n/Value+x"
	const appToken = "771234567890123|app-secret"
	cases := map[string]struct {
		reason string
		text   string
		want   string
	}{
		"raw": {
			reason: "the plain token",
			text:   `{"message":"bad EAAGtok3n/Value+x here"}`,
			want:   `{"message":"bad [REDACTED] here"}`,
		},
		"first letter escaped": {
			reason: "the form issue 9 names: a JSON encoder escaped the E",
			text:   `{"message":"bad \u0045AAGtok3n\/Value+x here"}`,
			want:   `{"message":"bad [REDACTED] here"}`,
		},
		"every letter escaped, mixed case hex": {
			reason: "any character may be escaped, in upper or lower case hex",
			text:   `"\u0045\u0041\u0041\u0047\u0074\u006F\u006b\u0033\u006e\u002F\u0056\u0061\u006c\u0075\u0065\u002b\u0078"`,
			want:   `"[REDACTED]"`,
		},
		"app token with an escaped bar": {
			reason: "Go and others escape | rarely, some encoders always",
			text:   `access_token=771234567890123\u007capp-secret`,
			want:   `access_token=[REDACTED]`,
		},
		"percent escaped": {
			reason: "a proxy echoing the request URL",
			text:   `GET /debug_token?access_token=771234567890123%7capp-secret&x=1`,
			want:   `GET /debug_token?access_token=[REDACTED]&x=1`,
		},
		"percent escape inside JSON": {
			reason: "the URL echoed in a JSON string whose encoder escaped the %",
			text:   `{"url":"?access_token=771234567890123\u00257Capp-secret"}`,
			want:   `{"url":"?access_token=[REDACTED]"}`,
		},
		"JSON escape inside a URL": {
			reason: "a JSON body put into a query string",
			text:   `?body=%5Cu0045AAGtok3n%2FValue%2Bx`,
			want:   `?body=[REDACTED]`,
		},
		"JSON quoting JSON": {
			reason: "a proxy wrapping Meta's error body in its own JSON string",
			text:   `{"upstream":"{\"message\":\"\\u0045AAGtok3n\\/Value+x\"}"}`,
			want:   `{"upstream":"{\"message\":\"[REDACTED]\"}"}`,
		},
		"no secret": {
			reason: "escapes that spell no secret are left alone",
			text:   `{"message":"\u00e4 100% \/ \\u0045 %zz \u12"}`,
			want:   `{"message":"\u00e4 100% \/ \\u0045 %zz \u12"}`,
		},
	}
	s := newScrubber(token, appToken)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := s.scrub(tc.text); got != tc.want {
				t.Errorf("%s\nscrub(%s)\n got %s\nwant %s", tc.reason, tc.text, got, tc.want)
			}
		})
	}
}

// FuzzScrubberCatchesEscapes spells a secret with every character escaped
// one of several ways (JSON, percent, one inside the other, in either hex
// case) inside arbitrary text: after scrubbing, neither the text nor any
// decoding of it (ours, and the standard library's JSON and URL decoders)
// holds the secret.
func FuzzScrubberCatchesEscapes(f *testing.F) {
	f.Add("EAAGfuzzTokenValue123", []byte{1, 0, 2, 3}, `{"error":{"message":"`, `"}}`)
	f.Add("771234567890123|app-secret", []byte{0, 5, 6, 4}, "GET /x?access_token=", "&y=1")
	f.Add("p\u00e4ss\U0001F600word", []byte{1, 2, 3, 7}, `"`, `"`)
	f.Add(`quote"back\slash/`, []byte{7, 7, 1, 0}, `{"m":"`, `"}`)
	f.Fuzz(func(t *testing.T, secret string, choices []byte, prefix, suffix string) {
		if len(secret) < minSecretLen || !utf8.ValidString(secret) || overlapsMarker(secret) {
			t.Skip()
		}
		text := prefix + spell(secret, choices) + suffix
		out := newScrubber(secret).scrub(text)
		assertNoSpelling(t, out, secret)
		if len(text) > 8 {
			limit := int(choices0(choices)) % len(text)
			capped := newScrubber(secret).scrubCapped(text, limit)
			if len(capped) > limit {
				t.Fatalf("scrubCapped(%d) returned %d bytes", limit, len(capped))
			}
			assertNoSpelling(t, capped, secret)
		}
	})
}

// overlapsMarker reports whether the marker itself can spell secret with
// the text around it: the marker holds the secret, or the secret ends with
// the marker's start ("000[" before "REDACTED]") or starts with its end
// ("D]000"). No scrubber can keep such a secret out of its output (every
// replacement spells it again); tokens and app secrets are letters and
// digits, which cannot overlap "[...]".
func overlapsMarker(secret string) bool {
	if strings.Contains(redacted, secret) || strings.Contains(secret, redacted) {
		return true
	}
	for n := 1; n < len(redacted) && n < len(secret); n++ {
		if strings.HasSuffix(secret, redacted[:n]) || strings.HasPrefix(secret, redacted[len(redacted)-n:]) {
			return true
		}
	}
	return false
}

// assertNoSpelling fails when out or a decoding of it (ours, or the
// standard library's JSON and URL decoders) holds secret.
func assertNoSpelling(t *testing.T, out, secret string) {
	t.Helper()
	if strings.Contains(out, secret) {
		t.Fatalf("the secret is in the scrubbed text %q", out)
	}
	for _, v := range decodedViews(rawView(out)) {
		if strings.Contains(string(v.b), secret) {
			t.Fatalf("a decoding of the scrubbed text %q holds the secret: %q", out, v.b)
		}
	}
	var decoded string
	if json.Unmarshal([]byte(`"`+out+`"`), &decoded) == nil && strings.Contains(decoded, secret) {
		t.Fatalf("JSON-decoding the scrubbed text %q gives the secret: %q", out, decoded)
	}
	if u, err := url.PathUnescape(out); err == nil && strings.Contains(u, secret) {
		t.Fatalf("URL-decoding the scrubbed text %q gives the secret: %q", out, u)
	}
}

// A capped text is cut before a spelling that crosses the cut, never
// through it: no prefix of the token is left at the end, whatever its
// spelling, and the text before it is kept.
func TestScrubCappedNeverCutsThroughASpelling(t *testing.T) {
	const token = "EAAGcappedTokenValue42"
	s := newScrubber(token)
	for name, spelling := range map[string]string{
		"raw":             token,
		"JSON escapes":    spell(token, []byte{1}),
		"percent escapes": spell(token, []byte{3}),
		"escapes of both": spell(token, []byte{5, 6}),
	} {
		t.Run(name, func(t *testing.T) {
			pad := strings.Repeat("x", 100)
			limit := len(pad) + len(spelling)/2
			out := s.scrubCapped(pad+spelling+strings.Repeat("y", 5000), limit)
			if out != pad {
				t.Errorf("scrubCapped(%d) = %q, want the padding alone", limit, out)
			}
			out = s.scrubCapped(pad+spelling+strings.Repeat("y", 5000), limit+len(spelling))
			if !strings.HasPrefix(out, pad+redacted+"y") {
				t.Errorf("with room for the spelling: %q", out)
			}
		})
	}
}

func choices0(c []byte) byte {
	if len(c) == 0 {
		return 0
	}
	return c[0]
}

// spell writes s with each rune escaped as choices say, cycling through them.
func spell(s string, choices []byte) string {
	var b strings.Builder
	k := 0
	for _, r := range s {
		c := byte(0)
		if len(choices) > 0 {
			c = choices[k%len(choices)] % 8
		}
		k++
		utf := string(r)
		switch c {
		case 1: // JSON \u escape, lower hex (surrogate pair beyond the BMP)
			b.WriteString(jsonUnicode(r, "%04x"))
		case 2: // JSON \u escape, upper hex
			b.WriteString(jsonUnicode(r, "%04X"))
		case 3: // percent escape of each UTF-8 byte, upper hex
			for i := 0; i < len(utf); i++ {
				fmt.Fprintf(&b, "%%%02X", utf[i])
			}
		case 4: // percent escape, lower hex
			for i := 0; i < len(utf); i++ {
				fmt.Fprintf(&b, "%%%02x", utf[i])
			}
		case 5: // a percent escape whose % is JSON-escaped
			for i := 0; i < len(utf); i++ {
				fmt.Fprintf(&b, `\u0025%02X`, utf[i])
			}
		case 6: // a JSON escape whose backslash is percent-escaped
			if r < 0x80 {
				fmt.Fprintf(&b, "%%5Cu%04x", r)
			} else {
				b.WriteString(utf)
			}
		case 7: // JSON's short escapes where they exist
			switch r {
			case '"', '\\', '/':
				b.WriteString(`\` + utf)
			case '\n':
				b.WriteString(`\n`)
			default:
				b.WriteString(utf)
			}
		default:
			b.WriteString(utf)
		}
	}
	return b.String()
}

// jsonUnicode is r as JSON's \u escape(s) with the hex format given.
func jsonUnicode(r rune, format string) string {
	if r < 0x10000 {
		return fmt.Sprintf(`\u`+format, r)
	}
	r -= 0x10000
	return fmt.Sprintf(`\u`+format+`\u`+format, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
}

// An answer can be up to maxResponseBytes of escapes (a broken or hostile
// proxy at GRAPH_API_URL): the scrubber reads only what the error keeps,
// so its memory does not grow with the answer.
func TestErrorOfHugeEscapedBodyStaysSmall(t *testing.T) {
	body := []byte(`{"error":{"code":100,"message":"` + strings.Repeat(`\u0041%41`, (maxResponseBytes-64)/12) + `"}}`)
	s := newScrubber("EAAGsomeTokenValue1")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	e := parseError(EndpointGetBusinessAccount, 400, body, s)
	runtime.ReadMemStats(&after)
	if len(e.Body) > maxBodyInError || len(e.Message) > maxFieldInError {
		t.Errorf("kept %d bytes of body and %d of message", len(e.Body), len(e.Message))
	}
	// Decoding the JSON message once costs about the body's size; views of
	// the whole body would cost dozens of times more.
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 4*uint64(len(body)) {
		t.Errorf("parsing a %d-byte error allocated %d bytes", len(body), grew)
	}
}
