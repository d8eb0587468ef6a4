package graph

import (
	"net/url"
	"sort"
	"strings"
)

// redacted replaces a credential wherever it would otherwise appear.
const redacted = "[REDACTED]"

// minSecretLen avoids scrubbing trivially short values (an empty string, a
// one-letter test token) that would mangle unrelated text.
const minSecretLen = 4

// scrubber removes credentials from text: each secret in its raw, query-
// escaped and path-escaped forms.
type scrubber struct {
	r *strings.Replacer
}

// newScrubber returns a scrubber for the given secrets; empty and very short
// values are ignored.
func newScrubber(secrets ...string) scrubber {
	seen := map[string]bool{}
	var forms []string
	add := func(s string) {
		if len(s) < minSecretLen || seen[s] {
			return
		}
		seen[s] = true
		forms = append(forms, s)
	}
	for _, s := range secrets {
		add(s)
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
	}
	if len(forms) == 0 {
		return scrubber{}
	}
	// Longest first, so a secret that contains another is replaced whole.
	sort.Slice(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, redacted)
	}
	return scrubber{r: strings.NewReplacer(pairs...)}
}

// scrub returns s with every secret replaced by [REDACTED].
func (s scrubber) scrub(text string) string {
	if s.r == nil {
		return text
	}
	return s.r.Replace(text)
}
