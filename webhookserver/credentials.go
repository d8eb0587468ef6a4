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
	// signers of appSecret, explicitPrevious, previous and forwardingKey,
	// kept so that HMAC states are reused across requests.
	currentSigner, explicitSigner, previousSigner, forwardingSigner *macSigner
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
	s.refreshSignersLocked()
}

// refreshSignersLocked rebuilds the signers of the secrets that changed.
// s.mu must be held for writing.
func (s *credentialStore) refreshSignersLocked() {
	refresh := func(sg **macSigner, secret string) {
		if secret == "" {
			*sg = nil
		} else if *sg == nil || (*sg).secret != secret {
			*sg = newMACSigner([]byte(secret))
			(*sg).secret = secret
		}
	}
	refresh(&s.currentSigner, s.appSecret)
	refresh(&s.explicitSigner, s.explicitPrevious)
	refresh(&s.previousSigner, s.previous)
	refresh(&s.forwardingSigner, s.forwardingKey)
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
	s.refreshSignersLocked()
}

// Signers returns signers of the accepted app secrets, the current one
// first (the same secrets as AppSecrets). They verify what Meta sends;
// forwarded bodies are signed by ForwardingSigner.
func (s *credentialStore) Signers() []*macSigner {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.appSecret == "" {
		return nil
	}
	out := make([]*macSigner, 1, 3)
	out[0] = s.currentSigner
	if s.explicitPrevious != "" && s.explicitPrevious != s.appSecret {
		out = append(out, s.explicitSigner)
	}
	if s.previous != "" && s.previous != s.appSecret && s.now().Before(s.previousUntil) {
		out = append(out, s.previousSigner)
	}
	return out
}

// Ready reports whether the app secret, the verify token and the
// forwarding key are known.
func (s *credentialStore) Ready() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.loaded && s.appSecret != "" && s.verifyToken != "" && s.forwardingKey != ""
}

// ForwardingSigner signs forwarded bodies with the forwarding key; nil when
// none is loaded. It is never an app secret: a chatbot that verifies what
// it receives must not need the Meta app secret, which yields an app
// access token.
func (s *credentialStore) ForwardingSigner() *macSigner {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.forwardingSigner
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
