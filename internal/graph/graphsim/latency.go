package graphsim

import (
	"net/http"
	"time"
)

// awaitLatency holds a Graph API call for Options.Latency before it is
// served, as Meta takes time to answer. It reports false when the client
// gave up first: the call is then neither counted nor served, and nothing
// is answered.
func (s *Server) awaitLatency(r *http.Request) bool {
	if s.opts.Latency <= 0 {
		return true
	}
	t := time.NewTimer(s.opts.Latency)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
