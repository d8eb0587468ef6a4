package graph

import (
	"net/url"
	"strings"
)

// redacted replaces a credential wherever it would otherwise appear.
const redacted = "[REDACTED]"

// minSecretLen avoids scrubbing trivially short values (an empty string, a
// one-letter test token) that would mangle unrelated text.
const minSecretLen = 4

// maxSpellingPerByte bounds how many bytes of text one byte of a secret
// takes in the longest spelling the scrubber decodes (a JSON escape whose
// backslash is percent-escaped: %5Cu0045).
const maxSpellingPerByte = 8

// scrubber removes credentials from text: each secret in its raw, query-
// escaped and path-escaped forms, and in any spelling that decodes to it
// through JSON string escapes (\u0045AAG..., \/, \\), percent escapes
// (%7C), or two of these in a row (\u00257C, %5Cu0045, a JSON string
// quoting JSON): an error body is written by Meta or by whatever proxy
// GRAPH_API_URL points at, and an encoder may escape any character of a
// token.
type scrubber struct {
	// forms are the literal spellings; secrets the values themselves.
	forms, secrets []string
	longest        int
}

// newScrubber returns a scrubber for the given secrets; empty and very short
// values are ignored.
func newScrubber(secrets ...string) scrubber {
	var s scrubber
	seen := map[string]bool{}
	for _, secret := range secrets {
		if len(secret) < minSecretLen || seen[secret] {
			continue
		}
		seen[secret] = true
		s.secrets = append(s.secrets, secret)
		s.longest = max(s.longest, len(secret))
		for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret)} {
			if !seen["form:"+form] {
				seen["form:"+form] = true
				s.forms = append(s.forms, form)
			}
		}
	}
	return s
}

// maxScrubPasses bounds the passes over a text: a pass redacts every
// spelling it finds; the next one only checks that the redactions did not
// join two halves of an escape into a new spelling.
const maxScrubPasses = 3

// scrub returns text with every spelling of every secret replaced by
// [REDACTED]. Its cost is linear in len(text); use scrubCapped for text
// that only needs to be kept in part.
func (s scrubber) scrub(text string) string {
	if len(s.secrets) == 0 {
		return text
	}
	for range maxScrubPasses {
		spans := s.spans(text)
		if len(spans) == 0 {
			break
		}
		text = redactSpans(text, spans)
	}
	return text
}

// scrubCapped returns at most the first limit bytes of text, scrubbed. It
// reads only as much of text as a spelling crossing the cut can reach, and
// never cuts through a spelling (which would leave a recognisable prefix):
// the cut moves to the start of such a spelling instead.
func (s scrubber) scrubCapped(text string, limit int) string {
	if len(s.secrets) == 0 {
		return text[:min(len(text), limit)]
	}
	if len(text) <= limit {
		out := s.scrub(text)
		return out[:min(len(out), limit)]
	}
	window := text[:min(len(text), limit+maxSpellingPerByte*s.longest)]
	spans := s.spans(window)
	cut := limit
	kept := spans[:0]
	for _, sp := range spans {
		if sp.start >= cut {
			break
		}
		if sp.end > cut {
			cut = sp.start
			break
		}
		kept = append(kept, sp)
	}
	out := s.scrub(redactSpans(window[:cut], kept))
	if len(out) > limit {
		// [REDACTED] may be longer than what it replaced; what is cut now
		// is a marker or text that holds no whole spelling.
		out = out[:limit]
	}
	return out
}

// spans returns where text holds a spelling of a secret, as byte ranges of
// text, sorted and merged.
func (s scrubber) spans(text string) []span {
	var spans []span
	raw := rawView(text)
	for _, form := range s.forms {
		spans = append(spans, raw.find(form)...)
	}
	for _, v := range decodedViews(raw) {
		for _, secret := range s.secrets {
			spans = append(spans, v.find(secret)...)
		}
	}
	return mergeSpans(spans)
}

// redactSpans replaces each span of text (sorted, disjoint) by [REDACTED].
func redactSpans(text string, spans []span) string {
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(text[last:sp.start])
		b.WriteString(redacted)
		last = sp.end
	}
	b.WriteString(text[last:])
	return b.String()
}
