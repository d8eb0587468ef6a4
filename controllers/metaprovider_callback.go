package controllers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// callbackFingerprint identifies a callback override (URL and verify
// token) without revealing either: an HMAC-SHA256 keyed by the app secret,
// so status can say which token was registered and no reader of status can
// test guesses of it. "" when there is no override.
func callbackFingerprint(publicURL string, creds *credentials) string {
	if publicURL == "" {
		return ""
	}
	mac := hmac.New(sha256.New, []byte(creds.AppSecret))
	mac.Write([]byte(publicURL))
	mac.Write([]byte{0})
	mac.Write([]byte(creds.VerifyToken))
	return hex.EncodeToString(mac.Sum(nil)[:16])
}
