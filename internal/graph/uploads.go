package graph

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

const (
	uploadSessionPrefix = "upload:"
	errUploadSession    = "an upload session id starts with upload:"
	errEmptyUpload      = "an upload needs the file's bytes and MIME type"
	errNoHandle         = "Meta's answer carries no file handle"
)

// Upload puts a file into Meta's Resumable Upload API for the app and
// returns its handle (the h of the answer), which template media headers
// name in example.header_handle. It is two calls: an upload session
// (POST /{app-id}/uploads) and the bytes (POST /upload:<session>). The
// access token must belong to a user with a role on the app.
func (c *Client) Upload(ctx context.Context, appID, fileName, mimeType string, data []byte) (string, error) {
	session, err := c.CreateUploadSession(ctx, appID, fileName, mimeType, len(data))
	if err != nil {
		return "", err
	}
	return c.UploadFile(ctx, session, mimeType, data)
}

// CreateUploadSession starts an upload of length bytes of mimeType
// (POST /{app-id}/uploads?file_name&file_length&file_type) and returns the
// session id, "upload:...".
func (c *Client) CreateUploadSession(ctx context.Context, appID, fileName, mimeType string, length int) (string, error) {
	if err := checkIDs(EndpointCreateUploadSession, appID); err != nil {
		return "", err
	}
	if length <= 0 || mimeType == "" {
		return "", fmt.Errorf(errFmtArg, EndpointCreateUploadSession, errEmptyUpload)
	}
	q := url.Values{"file_length": {strconv.Itoa(length)}, "file_type": {mimeType}}
	if fileName != "" {
		q.Set("file_name", fileName)
	}
	var out struct {
		ID string `json:"id"`
	}
	err := c.do(ctx, call{
		endpoint:   EndpointCreateUploadSession,
		method:     http.MethodPost,
		path:       []string{appID, "uploads"},
		query:      q,
		idempotent: true, // an unused session costs nothing
		limit:      limitNone,
	}, &out)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(out.ID, uploadSessionPrefix) {
		return "", fmt.Errorf(errFmtDecode, EndpointCreateUploadSession, http.StatusOK, errUploadSession)
	}
	return out.ID, nil
}

// UploadFile sends a whole file to an upload session (POST
// /upload:<session> with file_offset 0 and the token in an OAuth
// Authorization header, as the API requires) and returns its handle. A
// session id may carry a query of its own (?sig=...). It is not retried:
// the caller starts over with a new session.
func (c *Client) UploadFile(ctx context.Context, session, mimeType string, data []byte) (string, error) {
	segment, rawQuery, _ := strings.Cut(session, "?")
	if !strings.HasPrefix(segment, uploadSessionPrefix) || strings.ContainsAny(segment, "/#") {
		return "", fmt.Errorf(errFmtArg, EndpointUploadFile, errUploadSession)
	}
	if len(data) == 0 || mimeType == "" {
		return "", fmt.Errorf(errFmtArg, EndpointUploadFile, errEmptyUpload)
	}
	query, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", fmt.Errorf(errFmtArg, EndpointUploadFile, errUploadSession)
	}
	var out struct {
		H string `json:"h"`
	}
	err = c.do(ctx, call{
		endpoint:    EndpointUploadFile,
		method:      http.MethodPost,
		path:        []string{segment},
		query:       query,
		body:        data,
		contentType: mimeType,
		header:      http.Header{"File_offset": {"0"}},
		auth:        authOAuth,
		limit:       limitNone,
	}, &out)
	if err != nil {
		return "", err
	}
	if out.H == "" {
		return "", fmt.Errorf(errFmtDecode, EndpointUploadFile, http.StatusOK, errNoHandle)
	}
	return out.H, nil
}
