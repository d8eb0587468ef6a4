package relay

import "strings"

// isGraphVersion reports whether s is a version path element: v, 1 to 3
// digits, a dot, 1 or 2 digits (v25.0). Any is accepted; Meta gets the
// provider's configured version. It matches what ^v[0-9]{1,3}\.[0-9]{1,2}$
// does, checked by hand because every request runs it.
func isGraphVersion(s string) bool {
	dot := strings.IndexByte(s, '.')
	if len(s) < 4 || s[0] != 'v' || dot < 2 || dot > 4 || len(s)-dot-1 > 2 {
		return false
	}
	return allDigits(s[1:dot]) && allDigits(s[dot+1:])
}

// allDigits reports whether s is one or more ASCII digits.
func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
