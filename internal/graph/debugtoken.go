package graph

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// Scopes the operator needs on its token.
const (
	ScopeWhatsAppManagement = "whatsapp_business_management"
	ScopeWhatsAppMessaging  = "whatsapp_business_messaging"
)

// TokenInfo is what debug_token says about the client's token.
type TokenInfo struct {
	AppID       string
	Application string
	Type        string
	UserID      string
	IsValid     bool
	// ExpiresAt is zero for a token that never expires.
	ExpiresAt time.Time
	// DataAccessExpiresAt is zero when not applicable.
	DataAccessExpiresAt time.Time
	IssuedAt            time.Time
	Scopes              []string
	// GranularScopes lists target ids per scope. Meta no longer fills it
	// reliably: do not require a WABA id in it.
	GranularScopes []GranularScope
	// ErrorCode, ErrorSubcode and ErrorMessage explain IsValid=false.
	ErrorCode, ErrorSubcode int
	ErrorMessage            string
}

// GranularScope is one entry of granular_scopes.
type GranularScope struct {
	Scope     string   `json:"scope"`
	TargetIDs []string `json:"target_ids"`
}

// MissingScopes returns the scopes of want that the token lacks.
func (t TokenInfo) MissingScopes(want ...string) []string {
	have := map[string]bool{}
	for _, s := range t.Scopes {
		have[s] = true
	}
	var missing []string
	for _, s := range want {
		if !have[s] {
			missing = append(missing, s)
		}
	}
	return missing
}

type wireTokenInfo struct {
	Data struct {
		AppID               string          `json:"app_id"`
		Application         string          `json:"application"`
		Type                string          `json:"type"`
		UserID              string          `json:"user_id"`
		IsValid             bool            `json:"is_valid"`
		ExpiresAt           int64           `json:"expires_at"`
		DataAccessExpiresAt int64           `json:"data_access_expires_at"`
		IssuedAt            int64           `json:"issued_at"`
		Scopes              []string        `json:"scopes"`
		GranularScopes      []GranularScope `json:"granular_scopes"`
		Error               struct {
			Code    int    `json:"code"`
			Subcode int    `json:"subcode"`
			Message string `json:"message"`
		} `json:"error"`
	} `json:"data"`
}

// DebugToken inspects the client's token with GET /debug_token. With an app
// secret it authenticates as the app with the app token <appID>|<appSecret>
// sent as Authorization: Bearer (Graph takes any access token there, an
// app token included), so the app secret is never part of a URL a proxy or
// an access log records; with an empty secret it sends the token itself as
// Bearer. The inspected token goes in the query as input_token: Meta
// documents no other place for it (docs/security.md, "Credentials on the
// wire"). No credential appears in an error, a log line or a metric.
func (c *Client) DebugToken(ctx context.Context, appID, appSecret string) (*TokenInfo, error) {
	cl := call{
		endpoint:   EndpointDebugToken,
		method:     http.MethodGet,
		path:       []string{"debug_token"},
		query:      url.Values{"input_token": {c.token}},
		idempotent: true,
		limit:      limitNone,
	}
	if appSecret != "" {
		appToken := appID + "|" + appSecret
		cl.bearer = appToken
		cl.secrets = []string{appSecret, appToken}
	}
	var w wireTokenInfo
	if err := c.do(ctx, cl, &w); err != nil {
		markAppCredentials(err, appSecret != "")
		return nil, err
	}
	d := w.Data
	scrub := newScrubber(c.token, appSecret).scrub
	return &TokenInfo{
		AppID:               d.AppID,
		Application:         d.Application,
		Type:                d.Type,
		UserID:              d.UserID,
		IsValid:             d.IsValid,
		ExpiresAt:           unixOrZero(d.ExpiresAt),
		DataAccessExpiresAt: unixOrZero(d.DataAccessExpiresAt),
		IssuedAt:            unixOrZero(d.IssuedAt),
		Scopes:              d.Scopes,
		GranularScopes:      d.GranularScopes,
		ErrorCode:           d.Error.Code,
		ErrorSubcode:        d.Error.Subcode,
		ErrorMessage:        scrub(d.Error.Message),
	}, nil
}

// markAppCredentials flags a credentials refusal of debug_token made with
// the app token: debug_token reports a bad input token in its answer
// (is_valid false), so a 190 (or 101, unknown application) there means the
// app id or app secret is wrong, not the access token.
func markAppCredentials(err error, appToken bool) {
	var me *Error
	if !appToken || !errors.As(err, &me) || !me.FromMeta || me.NoCode {
		return
	}
	if classifyMeta(me) == ClassBadCredentials || me.Code == CodeInvalidApplication {
		me.AppCredentials = true
	}
}

func unixOrZero(s int64) time.Time {
	if s <= 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}
