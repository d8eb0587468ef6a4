package graphsim

import (
	"net/http"
	"net/http/httptest"
	"time"
)

// answerLate serves req into a recorder at once, so that its effect
// happens (FaultLateAnswer), and writes the recorded answer only after
// delay, unless the client left first: then it never gets it.
func (s *Server) answerLate(w http.ResponseWriter, r *http.Request, req *request, delay time.Duration) {
	rec := httptest.NewRecorder()
	s.dispatch(rec, req)
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}
