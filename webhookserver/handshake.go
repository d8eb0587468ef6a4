package webhookserver

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
)

// Query parameters of Meta's verification handshake.
const (
	queryMode        = "hub.mode"
	queryVerifyToken = "hub.verify_token"
	queryChallenge   = "hub.challenge"
	modeSubscribe    = "subscribe"
)

// handleHandshake answers Meta's verification request: hub.mode=subscribe
// and a hub.verify_token equal to the Secret's verifyToken get the raw
// hub.challenge back as text/plain; anything else gets 403. Without a
// loaded verify token the answer is 503: the fault is ours, not Meta's.
func (s *Server) handleHandshake(w http.ResponseWriter, r *http.Request) {
	want, ok := s.creds.VerifyToken()
	if !ok {
		s.countRequest(r, "not_ready")
		http.Error(w, "credentials not loaded", http.StatusServiceUnavailable)
		return
	}
	q := r.URL.Query()
	if q.Get(queryMode) != modeSubscribe || !tokensEqual(q.Get(queryVerifyToken), want) {
		s.countRequest(r, "handshake_forbidden")
		s.logRefusal(logHandshake, "verification handshake refused", "mode", q.Get(queryMode))
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	s.countRequest(r, "handshake_ok")
	s.log.Info("verification handshake accepted")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(q.Get(queryChallenge)))
}

// tokensEqual compares two tokens in constant time, length included (the
// digests have a fixed size).
func tokensEqual(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1 && want != ""
}
