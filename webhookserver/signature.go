package webhookserver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"strings"
	"sync"
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
	signers := make([]*macSigner, len(secrets))
	for i, s := range secrets {
		signers[i] = newMACSigner(s)
	}
	return verifyWith(header, body, signers)
}

// parseSignature decodes the digest of a headerSignature value.
func parseSignature(header string) ([]byte, error) {
	if header == "" {
		return nil, errSignatureMissing
	}
	hexDigest, ok := strings.CutPrefix(header, signaturePrefix)
	if !ok || len(hexDigest) != hex.EncodedLen(sha256.Size) {
		return nil, errSignatureMalformed
	}
	got, err := hex.DecodeString(hexDigest)
	if err != nil {
		return nil, errSignatureMalformed
	}
	return got, nil
}

// verifyWith is verifySignature with a signer per accepted secret.
func verifyWith(header string, body []byte, signers []*macSigner) (int, error) {
	got, err := parseSignature(header)
	if err != nil {
		return -1, err
	}
	match := -1
	for i, s := range signers {
		if s == nil {
			continue
		}
		// Check every secret, not only until the first match, so timing
		// does not tell which one matched.
		sum := s.sum(body)
		if hmac.Equal(got, sum[:]) && match < 0 {
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

// macSigner computes HMAC-SHA256 under one key, reusing HMAC states across
// requests (a new HMAC costs two hash states and the key schedule). It is
// safe for concurrent use. An empty key signs nothing.
type macSigner struct {
	pool sync.Pool
	// secret is the key as the credential store holds it, to tell when it
	// changed; never logged.
	secret string
}

// newMACSigner returns a signer for key, or nil for an empty key.
func newMACSigner(key []byte) *macSigner {
	if len(key) == 0 {
		return nil
	}
	k := append([]byte(nil), key...)
	s := &macSigner{}
	s.pool.New = func() any { return hmac.New(sha256.New, k) }
	return s
}

// sum returns the HMAC-SHA256 of body.
func (s *macSigner) sum(body []byte) (out [sha256.Size]byte) {
	m := s.pool.Get().(hash.Hash)
	m.Reset()
	m.Write(body)
	m.Sum(out[:0])
	s.pool.Put(m)
	return out
}

// header returns the X-Hub-Signature-256 value for body.
func (s *macSigner) header(body []byte) string {
	sum := s.sum(body)
	var b [len(signaturePrefix) + 2*sha256.Size]byte
	copy(b[:], signaturePrefix)
	hex.Encode(b[len(signaturePrefix):], sum[:])
	return string(b[:])
}
