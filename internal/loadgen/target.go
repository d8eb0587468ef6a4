package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
)

// Target is what to send: POSTs of a fresh body each time.
type Target struct {
	// URL is the loopback URL to POST to.
	URL string
	// Next returns the next request's body and sets its per-request
	// headers (a signature, for instance) on header. It is called
	// concurrently.
	Next func(header http.Header) []byte
}

// post sends one request and reports whether it was answered 200.
func (t Target) post(ctx context.Context, client *http.Client) error {
	header := make(http.Header, 2)
	header.Set("Content-Type", "application/json")
	body := t.Next(header)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = header
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: HTTP %d", t.URL, resp.StatusCode)
	}
	return nil
}
