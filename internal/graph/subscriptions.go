package graph

import (
	"context"
	"encoding/json"
	"net/http"
)

// SubscribedApp is one app subscribed to a WABA's webhooks.
type SubscribedApp struct {
	AppID string
	Name  string
	Link  string
	// OverrideCallbackURI is the WABA-level callback override, when set.
	OverrideCallbackURI string
}

// UnmarshalJSON reads Meta's shape:
// {"whatsapp_business_api_data":{"id","name","link"},"override_callback_uri"}.
func (a *SubscribedApp) UnmarshalJSON(b []byte) error {
	var w struct {
		Data struct {
			ID   string `json:"id"`
			Name string `json:"name"`
			Link string `json:"link"`
		} `json:"whatsapp_business_api_data"`
		Override string `json:"override_callback_uri"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*a = SubscribedApp{AppID: w.Data.ID, Name: w.Data.Name, Link: w.Data.Link, OverrideCallbackURI: w.Override}
	return nil
}

// CallbackOverride is a WABA-level webhook callback override. Meta verifies
// URL with a GET handshake carrying VerifyToken during the subscribe call,
// so the webhook endpoint must already answer it.
type CallbackOverride struct {
	URL         string
	VerifyToken string
}

// ListSubscribedApps reads GET /{waba-id}/subscribed_apps (all pages).
func (c *Client) ListSubscribedApps(ctx context.Context, wabaID string) ([]SubscribedApp, error) {
	if err := checkIDs(EndpointListSubscribedApps, wabaID); err != nil {
		return nil, err
	}
	return listAll[SubscribedApp](ctx, c, call{
		endpoint:   EndpointListSubscribedApps,
		method:     http.MethodGet,
		path:       []string{wabaID, "subscribed_apps"},
		waba:       wabaID,
		idempotent: true,
	})
}

// SubscribeApp subscribes the token's app to the WABA (POST
// /{waba-id}/subscribed_apps), with a callback override when override is
// not nil. Subscribing is idempotent, so it is retried on transient
// failures. The verify token never appears in an error.
func (c *Client) SubscribeApp(ctx context.Context, wabaID string, override *CallbackOverride) error {
	if err := checkIDs(EndpointSubscribeApp, wabaID); err != nil {
		return err
	}
	cl := call{
		endpoint:   EndpointSubscribeApp,
		method:     http.MethodPost,
		path:       []string{wabaID, "subscribed_apps"},
		waba:       wabaID,
		idempotent: true,
	}
	if override != nil {
		body, err := json.Marshal(map[string]string{
			"override_callback_uri": override.URL,
			"verify_token":          override.VerifyToken,
		})
		if err != nil {
			return err
		}
		cl.body = body
		cl.secrets = []string{override.VerifyToken}
	}
	return c.do(ctx, cl, nil)
}

// UnsubscribeApp removes the token's app from the WABA (DELETE
// /{waba-id}/subscribed_apps).
func (c *Client) UnsubscribeApp(ctx context.Context, wabaID string) error {
	if err := checkIDs(EndpointUnsubscribeApp, wabaID); err != nil {
		return err
	}
	return c.do(ctx, call{
		endpoint:   EndpointUnsubscribeApp,
		method:     http.MethodDelete,
		path:       []string{wabaID, "subscribed_apps"},
		waba:       wabaID,
		idempotent: true,
	}, nil)
}
