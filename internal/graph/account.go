package graph

import (
	"context"
	"net/http"
	"net/url"
)

// BusinessAccount is a WhatsApp Business Account (WABA).
type BusinessAccount struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// GetBusinessAccount reads GET /{waba-id}?fields=id,name. It is the cheap
// proof that the token reaches the WABA.
func (c *Client) GetBusinessAccount(ctx context.Context, wabaID string) (*BusinessAccount, error) {
	if err := checkIDs(EndpointGetBusinessAccount, wabaID); err != nil {
		return nil, err
	}
	var out BusinessAccount
	err := c.do(ctx, call{
		endpoint:   EndpointGetBusinessAccount,
		method:     http.MethodGet,
		path:       []string{wabaID},
		query:      url.Values{"fields": {"id,name"}},
		waba:       wabaID,
		idempotent: true,
	}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}
