package webhookserver

import (
	"strings"
	"sync"
	"time"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// SecretKeyAppSecretPrevious is an optional key of the webhook Secret: an
// app secret still accepted beside appSecret, for as long as the key is
// there. It lets a rotation span restarts and every replica.
const SecretKeyAppSecretPrevious = whatsappv1alpha1.SecretKeyAppSecretPrevious

// credentialStore holds what the webhook server needs from its Secret: the
// verify token, the app secrets that may sign webhooks, and the forwarding
// key that signs what it forwards to chatbots. It never logs or exposes
// them. When appSecret changes, the value it replaced
// stays accepted for a grace period, so webhooks Meta signed (or will retry)
// with the old secret are not refused while the rotation settles.
type credentialStore struct {
	grace time.Duration
	now   func() time.Time

	mu               sync.RWMutex
	loaded           bool
	verifyToken      string
	appSecret        string
	explicitPrevious string
	previous         string
	previousUntil    time.Time
	forwardingKey    string
}

// newCredentialStore returns an empty store.
func newCredentialStore(grace time.Duration, now func() time.Time) *credentialStore {
	return &credentialStore{grace: grace, now: now}
}

// Update takes the Secret's data. Values are trimmed of surrounding
// whitespace (a trailing newline from `kubectl create secret --from-file`
// is the classic mistake; neither an app secret nor a sensible verify
// token contains one).
func (s *credentialStore) Update(data map[string][]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	appSecret := strings.TrimSpace(string(data[whatsappv1alpha1.SecretKeyAppSecret]))
	if s.appSecret != "" && appSecret != s.appSecret {
		s.previous, s.previousUntil = s.appSecret, s.now().Add(s.grace)
	}
	s.appSecret = appSecret
	s.verifyToken = strings.TrimSpace(string(data[whatsappv1alpha1.SecretKeyVerifyToken]))
	s.explicitPrevious = strings.TrimSpace(string(data[SecretKeyAppSecretPrevious]))
	s.forwardingKey = strings.TrimSpace(string(data[whatsappv1alpha1.SecretKeyForwardingKey]))
	s.loaded = true
}

// Clear forgets the credentials (the Secret or the provider is gone). The
// app secret is kept as the previous one for the grace period, so that a
// rotation done by deleting and re-creating the Secret behaves as an update.
func (s *credentialStore) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.appSecret != "" {
		s.previous, s.previousUntil = s.appSecret, s.now().Add(s.grace)
	}
	s.loaded = false
	s.verifyToken, s.appSecret, s.explicitPrevious, s.forwardingKey = "", "", "", ""
}

// Ready reports whether the app secret, the verify token and the
// forwarding key are known.
func (s *credentialStore) Ready() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.loaded && s.appSecret != "" && s.verifyToken != "" && s.forwardingKey != ""
}

// ForwardingKey returns the key that signs forwarded bodies, nil when none
// is loaded. It is never an app secret: a chatbot that verifies what it
// receives must not need the Meta app secret, which yields an app access
// token.
func (s *credentialStore) ForwardingKey() []byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.forwardingKey == "" {
		return nil
	}
	return []byte(s.forwardingKey)
}

// VerifyToken returns the verify token, if known.
func (s *credentialStore) VerifyToken() (string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.verifyToken, s.verifyToken != ""
}

// AppSecrets returns the accepted app secrets, the current one first.
func (s *credentialStore) AppSecrets() [][]byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.appSecret == "" {
		return nil
	}
	out := [][]byte{[]byte(s.appSecret)}
	if s.explicitPrevious != "" && s.explicitPrevious != s.appSecret {
		out = append(out, []byte(s.explicitPrevious))
	}
	if s.previous != "" && s.previous != s.appSecret && s.now().Before(s.previousUntil) {
		out = append(out, []byte(s.previous))
	}
	return out
}
