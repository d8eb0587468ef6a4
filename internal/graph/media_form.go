package graph

import (
	"context"
	"fmt"
	"net/http"
)

const errNoForm = "the multipart body or its Content-Type is empty"

// UploadMediaForm posts a ready multipart body (fields messaging_product,
// type and file, as Meta documents them) to POST /{phone-number-id}/media
// and returns Meta's answer as received. The relay builds the body while
// it reads the chatbot's upload, so the file is held in memory once. It is
// never retried.
func (c *Client) UploadMediaForm(ctx context.Context, phoneNumberID string, body []byte, contentType string) ([]byte, error) {
	if err := checkIDs(EndpointUploadMedia, phoneNumberID); err != nil {
		return nil, err
	}
	if len(body) == 0 || contentType == "" {
		return nil, fmt.Errorf(errFmtArg, EndpointUploadMedia, errNoForm)
	}
	var out []byte
	err := c.do(ctx, call{
		endpoint:    EndpointUploadMedia,
		method:      http.MethodPost,
		path:        []string{phoneNumberID, "media"},
		body:        body,
		contentType: contentType,
		object:      phoneNumberID,
		limit:       limitNone,
	}, &out)
	if err != nil {
		return nil, err
	}
	return out, nil
}
