package loadgen

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
)

// Bare forwarder limits: Meta's bodies are small; the bare forwarder caps
// them as any server facing the internet must.
const (
	bareMaxBody      = 1 << 20
	bareSignature    = "X-Hub-Signature-256"
	bareSignaturePre = "sha256="
)

// BareForwarder returns the baseline handler: it reads the body (capped),
// checks its HMAC-SHA256 under secret, POSTs the raw bytes with the same
// signature to every target over client (in parallel when there are
// several), and answers 200 once each answered 2xx, 503 otherwise. It is
// the least a webhook forwarder can do: no routing, no dedupe, no split.
func BareForwarder(client *http.Client, secret []byte, targets ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, bareMaxBody))
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		sig := r.Header.Get(bareSignature)
		got, err := hex.DecodeString(strings.TrimPrefix(sig, bareSignaturePre))
		m := hmac.New(sha256.New, secret)
		m.Write(body)
		if err != nil || !hmac.Equal(got, m.Sum(nil)) {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		ok := make(chan bool, len(targets))
		for _, t := range targets {
			go func() { ok <- bareForward(r, client, t, body, sig) }()
		}
		code := http.StatusOK
		for range targets {
			if !<-ok {
				code = http.StatusServiceUnavailable
			}
		}
		w.WriteHeader(code)
	})
}

// bareForward POSTs body to target and reports a 2xx answer.
func bareForward(r *http.Request, client *http.Client, target string, body []byte, sig string) bool {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(bareSignature, sig)
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode >= 200 && resp.StatusCode <= 299
}
