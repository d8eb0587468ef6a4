package graph

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
)

const profileFields = "about,address,description,email,profile_picture_url,websites,vertical"

// BusinessProfile is a phone number's WhatsApp business profile.
type BusinessProfile struct {
	About       string   `json:"about,omitempty"`
	Address     string   `json:"address,omitempty"`
	Description string   `json:"description,omitempty"`
	Email       string   `json:"email,omitempty"`
	Vertical    string   `json:"vertical,omitempty"`
	Websites    []string `json:"websites,omitempty"`
	// ProfilePictureURL is read-only.
	ProfilePictureURL string `json:"profile_picture_url,omitempty"`
}

// GetBusinessProfile reads GET /{phone-number-id}/whatsapp_business_profile.
func (c *Client) GetBusinessProfile(ctx context.Context, phoneNumberID string) (*BusinessProfile, error) {
	if err := checkIDs(EndpointGetBusinessProfile, phoneNumberID); err != nil {
		return nil, err
	}
	var out struct {
		Data []BusinessProfile `json:"data"`
	}
	err := c.do(ctx, call{
		endpoint:   EndpointGetBusinessProfile,
		method:     http.MethodGet,
		path:       []string{phoneNumberID, "whatsapp_business_profile"},
		query:      url.Values{"fields": {profileFields}},
		object:     phoneNumberID,
		idempotent: true,
	}, &out)
	if err != nil {
		return nil, err
	}
	if len(out.Data) == 0 {
		return &BusinessProfile{}, nil
	}
	return &out.Data[0], nil
}

// UpdateBusinessProfile makes the profile equal to p: address, description,
// email and websites are always sent (empty clears them); about and vertical
// only when set, because Meta refuses them empty. It is retried like a GET:
// setting the same profile twice is harmless.
func (c *Client) UpdateBusinessProfile(ctx context.Context, phoneNumberID string, p BusinessProfile) error {
	if err := checkIDs(EndpointUpdateBusinessProfile, phoneNumberID); err != nil {
		return err
	}
	websites := p.Websites
	if websites == nil {
		websites = []string{}
	}
	fields := map[string]any{
		"messaging_product": "whatsapp",
		"address":           p.Address,
		"description":       p.Description,
		"email":             p.Email,
		"websites":          websites,
	}
	if p.About != "" {
		fields["about"] = p.About
	}
	if p.Vertical != "" {
		fields["vertical"] = p.Vertical
	}
	body, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	return c.do(ctx, call{
		endpoint:   EndpointUpdateBusinessProfile,
		method:     http.MethodPost,
		path:       []string{phoneNumberID, "whatsapp_business_profile"},
		body:       body,
		object:     phoneNumberID,
		idempotent: true,
	}, nil)
}
