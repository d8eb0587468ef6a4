// Package testlog gives tests a logger whose lines they can read: every
// verbosity, as JSON, into a buffer safe for the goroutines of the code
// under test. Tests assert on what a user would see in the pod's log (and
// that secrets never reach it).
package testlog

import (
	"bytes"
	"log/slog"
	"sync"

	"github.com/go-logr/logr"
)

// Buffer is a bytes.Buffer safe for concurrent use.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// WriteString appends v.
func (s *Buffer) WriteString(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.WriteString(v)
}

// String is everything written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// JSONLogger logs every line, V-levels included, as JSON into the buffer
// it returns.
func JSONLogger() (logr.Logger, *Buffer) {
	buf := &Buffer{}
	h := slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.Level(-10)})
	return logr.FromSlogHandler(h), buf
}
