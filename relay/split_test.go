package relay

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSplitText(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     string
		limit  int
		want   []string
	}{
		"Short":       {reason: "a text within the limit is one part, untouched", in: "hello  world ", limit: 20, want: []string{"hello  world "}},
		"AtSpace":     {reason: "cut at the last space before the limit, the space dropped", in: "aaa bbb ccc", limit: 8, want: []string{"aaa bbb", "ccc"}},
		"ExactWord":   {reason: "a word ending exactly at the limit stays whole", in: "aaaa bbbb", limit: 4, want: []string{"aaaa", "bbbb"}},
		"LongWord":    {reason: "a word longer than the limit is cut between characters", in: "abcdefghij kl", limit: 4, want: []string{"abcd", "efgh", "ij", "kl"}},
		"Multibyte":   {reason: "never inside a multi-byte character", in: "ééééé", limit: 2, want: []string{"éé", "éé", "é"}},
		"Emoji":       {reason: "4-byte runes count as one character", in: "😀😀 😀", limit: 2, want: []string{"😀😀", "😀"}},
		"Newlines":    {reason: "a newline is a word boundary; runs of whitespace at a cut fold away", in: "one\n\ntwo three", limit: 6, want: []string{"one", "two", "three"}},
		"LeadingOnly": {reason: "whitespace alone never makes a part", in: "      abcdefgh", limit: 4, want: []string{"abcd", "efgh"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := SplitText(tc.in, tc.limit)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("%s: got %q, want %q", tc.reason, got, tc.want)
			}
		})
	}
}

// TestSplitTextProperties holds a long text to the rules: parts within the
// limit, valid UTF-8, no part starting or ending inside a word unless that
// word alone is too long, and nothing lost but whitespace at the cuts.
func TestSplitTextProperties(t *testing.T) {
	var b strings.Builder
	words := []string{"relay", "WhatsApp", "naïve", "日本語の文", "😀", "a", "supercalifragilistic"}
	for i := 0; b.Len() < 12000; i++ {
		b.WriteString(words[i%len(words)])
		if i%13 == 0 {
			b.WriteString("\n")
		} else {
			b.WriteString(" ")
		}
	}
	text := b.String()
	parts := SplitText(text, 4096)
	if len(parts) < 3 {
		t.Fatalf("got %d parts", len(parts))
	}
	for i, p := range parts {
		if n := utf8.RuneCountInString(p); n > 4096 || n == 0 || !utf8.ValidString(p) {
			t.Errorf("part %d: %d characters, valid UTF-8 %v", i, n, utf8.ValidString(p))
		}
		if i < len(parts)-1 {
			last, _ := utf8.DecodeLastRuneInString(p)
			next, _ := utf8.DecodeRuneInString(parts[i+1])
			if unicode.IsSpace(last) || unicode.IsSpace(next) {
				t.Errorf("cut %d keeps whitespace at the boundary", i)
			}
		}
	}
	if strings.Join(strings.Fields(strings.Join(parts, " ")), " ") != strings.Join(strings.Fields(text), " ") {
		t.Error("the parts do not hold the text's words in order")
	}
}

func TestTemplateParameter(t *testing.T) {
	if got := templateParameter("Hello\n\tworld     again  "); got != "Hello world again" {
		t.Errorf("newlines, tabs and long space runs fold into single spaces, got %q", got)
	}
}
