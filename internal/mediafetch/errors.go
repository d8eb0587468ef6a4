package mediafetch

import "fmt"

// Error says why a sample could not be fetched, in words for a condition
// message. Temporary errors (timeouts, 5xx, a network failure) may pass by
// themselves; the others need the URL or the file fixed.
type Error struct {
	// URL is the sample's URL without its query (signed URLs carry keys).
	URL string
	// Problem says what is wrong, as a predicate of the URL ("is empty").
	Problem string
	// Temporary reports a failure worth retrying unchanged.
	Temporary bool
}

func (e *Error) Error() string { return e.URL + " " + e.Problem }

func permanent(url, format string, args ...any) *Error {
	return &Error{URL: url, Problem: fmt.Sprintf(format, args...)}
}

func temporary(url, format string, args ...any) *Error {
	return &Error{URL: url, Problem: fmt.Sprintf(format, args...), Temporary: true}
}
