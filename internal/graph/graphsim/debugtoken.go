package graphsim

import (
	"strings"
	"time"
)

// issuedAgo is how long before "now" debug_token says a token was issued.
const issuedAgo = 24 * time.Hour

// handleDebugToken serves GET /debug_token. The caller authenticates with
// an app token "<app-id>|<app-secret>" (access_token parameter or Bearer)
// or any valid token; input_token is the token inspected.
func (s *Server) handleDebugToken(req *request) (any, *metaError) {
	if merr := s.authenticateDebugLocked(req); merr != nil {
		return nil, merr
	}
	input := req.r.URL.Query().Get("input_token")
	if input == "" {
		return nil, errParamRequired("input_token")
	}
	t, ok := s.tokens[input]
	if !ok {
		return map[string]any{"data": map[string]any{
			"is_valid": false, "scopes": []string{},
			"error": map[string]any{"code": CodeInvalidToken, "message": "Invalid OAuth access token."},
		}}, nil
	}
	data := map[string]any{
		"app_id":                 t.AppID,
		"type":                   t.Type,
		"application":            s.appName(t.AppID),
		"data_access_expires_at": 0,
		"expires_at":             unixOrZero(t),
		"is_valid":               true,
		"issued_at":              s.now().Add(-issuedAgo).Unix(),
		"scopes":                 t.Scopes,
		"granular_scopes":        granularScopes(t),
		"user_id":                "61570785020842",
	}
	if _, merr := s.tokenLocked(input); merr != nil {
		data["is_valid"] = false
		data["error"] = map[string]any{"code": merr.Code, "subcode": merr.Subcode, "message": merr.Message}
	}
	return map[string]any{"data": data}, nil
}

// authenticateDebugLocked accepts an app token with the right secret or any
// valid user/system-user token.
func (s *Server) authenticateDebugLocked(req *request) *metaError {
	value := bearer(req.r)
	if value == "" {
		return errTokenRequired()
	}
	if appID, secret, ok := strings.Cut(value, "|"); ok {
		app, known := s.apps[appID]
		if !known || app.Secret != secret {
			return errAppSignature()
		}
		return nil
	}
	_, merr := s.tokenLocked(value)
	return merr
}

func (s *Server) appName(id string) string {
	if a, ok := s.apps[id]; ok {
		return a.Name
	}
	return ""
}

func unixOrZero(t *Token) int64 {
	if t.ExpiresAt.IsZero() {
		return 0
	}
	return t.ExpiresAt.Unix()
}

// granularScopes lists the token's WABAs as target ids of each scope.
func granularScopes(t *Token) []map[string]any {
	out := make([]map[string]any, 0, len(t.Scopes))
	for _, sc := range t.Scopes {
		g := map[string]any{"scope": sc}
		if len(t.WABAs) > 0 {
			g["target_ids"] = t.WABAs
		}
		out = append(out, g)
	}
	return out
}
