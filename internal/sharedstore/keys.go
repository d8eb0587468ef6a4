package sharedstore

import (
	"crypto/sha256"
	"encoding/hex"
)

// keyLayout names one provider's keys (see the package doc).
type keyLayout struct {
	// base is "P NS/NAME:" without the space.
	base string
}

func newKeyLayout(prefix, namespace, provider string) keyLayout {
	return keyLayout{base: prefix + namespace + "/" + provider + ":"}
}

// delivery is the key of one dedupe key: its identity (message id, status,
// recipient) is hashed, so neither phone numbers nor message ids are
// stored in readable form, and every key has the same length.
func (k keyLayout) delivery(dedupeKey string) string {
	sum := sha256.Sum256([]byte(dedupeKey))
	buf := make([]byte, 0, len(k.base)+2+hex.EncodedLen(16))
	buf = append(buf, k.base...)
	buf = append(buf, "d:"...)
	buf = hex.AppendEncode(buf, sum[:16])
	return string(buf)
}

// budget is the key redis_rate is given for a phone number's send budget
// (it adds "rate:" in front).
func (k keyLayout) budget(phoneNumberID string) string {
	return k.base + "s:" + phoneNumberID
}

// Pattern is the glob that matches every key of the provider (for an ACL:
// "~" + Pattern, and "~rate:" + Pattern for the send budgets).
func (s *Store) Pattern() string { return s.keys.base + "*" }
