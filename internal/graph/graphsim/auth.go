package graphsim

import (
	"net/http"
	"slices"
	"strings"
)

// bearer returns the access token of r: the Authorization: Bearer header,
// or the access_token query parameter, as Meta accepts both.
func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, value, ok := strings.Cut(h, " ")
		if ok && (strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "OAuth")) {
			return strings.TrimSpace(value)
		}
	}
	return r.URL.Query().Get("access_token")
}

// tokenLocked validates a token value: unknown (190), revoked (190/460) and
// expired (190/463) tokens are refused with Meta's errors.
func (s *Server) tokenLocked(value string) (*Token, *metaError) {
	t, ok := s.tokens[value]
	switch {
	case !ok:
		return nil, errInvalidToken()
	case t.Revoked:
		return nil, errTokenInvalidated()
	case !t.ExpiresAt.IsZero() && !s.now().Before(t.ExpiresAt):
		return nil, errTokenExpired()
	}
	return t, nil
}

// authorizeLocked checks the request's token, then the route's own error,
// then the scope and the token's reach to the route's WABA.
func (s *Server) authorizeLocked(req *request) *metaError {
	rt := req.route
	if rt.auth == authDebug {
		return nil
	}
	value := bearer(req.r)
	if value == "" {
		return errTokenRequired()
	}
	tok, merr := s.tokenLocked(value)
	if merr != nil {
		return merr
	}
	req.token = tok
	if rt.err != nil {
		return rt.err
	}
	if rt.scope != "" && !slices.Contains(tok.Scopes, rt.scope) {
		return errMissingPermission(rt.scope)
	}
	if rt.waba != "" && !reaches(tok, rt.waba) {
		return errUnsupported(req.r.Method, rt.object)
	}
	return nil
}

// reaches reports whether the token may touch the WABA (no list: all).
func reaches(t *Token, waba string) bool {
	return len(t.WABAs) == 0 || slices.Contains(t.WABAs, waba)
}
