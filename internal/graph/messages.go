package graph

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
)

const (
	errEmptyMessage = "the message body is empty"
	errEmptyMedia   = "the media file is empty or has no MIME type"
	errNoMediaID    = "Meta's answer carried no media id"
)

// SendMessage posts a message exactly as given (Meta's JSON) to POST
// /{phone-number-id}/messages and returns Meta's answer as received. It is
// never retried (a retry could deliver twice) and spends no management
// budget: the relay paces sends per number itself. On failure the *Error's
// Body holds Meta's error answer for the relay to pass on.
func (c *Client) SendMessage(ctx context.Context, phoneNumberID string, body []byte) ([]byte, error) {
	if err := checkIDs(EndpointSendMessage, phoneNumberID); err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fmt.Errorf(errFmtArg, EndpointSendMessage, errEmptyMessage)
	}
	var out []byte
	err := c.do(ctx, call{
		endpoint: EndpointSendMessage,
		method:   http.MethodPost,
		path:     []string{phoneNumberID, "messages"},
		body:     body,
		object:   phoneNumberID,
		limit:    limitNone,
	}, &out)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UploadMedia uploads a file with POST /{phone-number-id}/media
// (multipart: messaging_product, type, file) and returns the media id. It
// is never retried.
func (c *Client) UploadMedia(ctx context.Context, phoneNumberID string, file []byte, mimeType, filename string) (string, error) {
	if err := checkIDs(EndpointUploadMedia, phoneNumberID); err != nil {
		return "", err
	}
	if len(file) == 0 || mimeType == "" {
		return "", fmt.Errorf(errFmtArg, EndpointUploadMedia, errEmptyMedia)
	}
	body, contentType, err := mediaForm(file, mimeType, filename)
	if err != nil {
		return "", err
	}
	var out struct {
		ID string `json:"id"`
	}
	err = c.do(ctx, call{
		endpoint:    EndpointUploadMedia,
		method:      http.MethodPost,
		path:        []string{phoneNumberID, "media"},
		body:        body,
		contentType: contentType,
		object:      phoneNumberID,
		limit:       limitNone,
	}, &out)
	if err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", fmt.Errorf(errFmtDecode, EndpointUploadMedia, http.StatusOK, errNoMediaID)
	}
	return out.ID, nil
}

// mediaForm builds the multipart body Meta's media endpoint expects.
func mediaForm(file []byte, mimeType, filename string) ([]byte, string, error) {
	if filename == "" {
		filename = "file"
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.WriteField("messaging_product", "whatsapp"); err != nil {
		return nil, "", err
	}
	if err := w.WriteField("type", mimeType); err != nil {
		return nil, "", err
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, sanitizeFilename(filename)))
	h.Set("Content-Type", mimeType)
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if _, err := part.Write(file); err != nil {
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

// sanitizeFilename keeps a filename from breaking the part header.
func sanitizeFilename(name string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
}
