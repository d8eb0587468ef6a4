package webhookserver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
)

// headerSignature carries Meta's HMAC-SHA256 of the raw body.
const headerSignature = "X-Hub-Signature-256"

// signaturePrefix precedes the hex digest in headerSignature.
const signaturePrefix = "sha256="

var (
	// errSignatureMissing: the request has no X-Hub-Signature-256 (401).
	errSignatureMissing = errors.New("missing " + headerSignature + " header")
	// errSignatureMalformed: the header is not sha256=<64 hex digits> (403).
	errSignatureMalformed = errors.New("malformed " + headerSignature + " header")
	// errSignatureMismatch: no accepted app secret produces the header (403).
	errSignatureMismatch = errors.New(headerSignature + " does not match the body")
)

// verifySignature checks header against the HMAC-SHA256 of body under each
// of secrets, in constant time per secret. It returns the index of the
// secret that matched (0 is the current one).
func verifySignature(header string, body []byte, secrets [][]byte) (int, error) {
	if header == "" {
		return -1, errSignatureMissing
	}
	hexDigest, ok := strings.CutPrefix(header, signaturePrefix)
	if !ok || len(hexDigest) != hex.EncodedLen(sha256.Size) {
		return -1, errSignatureMalformed
	}
	got, err := hex.DecodeString(hexDigest)
	if err != nil {
		return -1, errSignatureMalformed
	}
	match := -1
	for i, secret := range secrets {
		if len(secret) == 0 {
			continue
		}
		// Check every secret, not only until the first match, so timing
		// does not tell which one matched.
		if hmac.Equal(got, sign(secret, body)) && match < 0 {
			match = i
		}
	}
	if match < 0 {
		return -1, errSignatureMismatch
	}
	return match, nil
}

// sign returns the HMAC-SHA256 of body under secret.
func sign(secret, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return m.Sum(nil)
}

// signatureHeader returns the X-Hub-Signature-256 value for body.
func signatureHeader(secret, body []byte) string {
	return signaturePrefix + hex.EncodeToString(sign(secret, body))
}
