package relay

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SplitText cuts s into parts of at most limit characters (runes), in
// order. A cut falls on whitespace, which is dropped there; a word is cut
// only when it alone is longer than limit, and then between characters,
// never inside a multi-byte one. Whitespace elsewhere is kept, except
// whitespace that would make a part of its own. Joining the
// parts with single spaces gives s with the whitespace at each cut folded
// into one space.
func SplitText(s string, limit int) []string {
	if limit <= 0 {
		return nil
	}
	var parts []string
	rest := s
	for rest != "" {
		if utf8.RuneCountInString(rest) <= limit {
			parts = append(parts, rest)
			break
		}
		cut := byteOffset(rest, limit)
		part, next := rest[:cut], rest[cut:]
		if r, _ := utf8.DecodeRuneInString(next); !unicode.IsSpace(r) {
			if ws := lastSpace(part); ws > 0 {
				part, next = rest[:ws], rest[ws:]
			}
		}
		part = strings.TrimRightFunc(part, unicode.IsSpace)
		next = strings.TrimLeftFunc(next, unicode.IsSpace)
		if part == "" { // only whitespace before the cut: no part of it
			rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
			continue
		}
		parts = append(parts, part)
		rest = next
	}
	return parts
}

// byteOffset is the byte index after the first n runes of s.
func byteOffset(s string, n int) int {
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// lastSpace is the byte index of the last whitespace rune in s that has
// something other than whitespace before it; 0 when none.
func lastSpace(s string) int {
	for i := len(s); i > 0; {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
		if unicode.IsSpace(r) && strings.TrimRightFunc(s[:i], unicode.IsSpace) != "" {
			return i
		}
	}
	return 0
}

// templateParameter folds text into what a template variable accepts:
// Meta refuses newlines, tabs and more than four consecutive spaces in a
// parameter, so every run of whitespace becomes one space.
func templateParameter(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
