package relay

import (
	"bytes"
	"sync"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/providerstate"
)

// secretKeys: the relay reads only the access token of the credentials
// Secret; the app secret and verify token never reach its memory.
var secretKeys = providerstate.SecretSpec{
	Keys:     []string{whatsappv1alpha1.SecretKeyAccessToken},
	Required: []string{whatsappv1alpha1.SecretKeyAccessToken},
}

// tokenStore holds the access token (providerstate.CredentialSink). It
// never logs or exposes it but to the Graph client.
type tokenStore struct {
	mu    sync.RWMutex
	token string
}

// Update implements providerstate.CredentialSink; surrounding whitespace
// (a newline from --from-file) is not part of a token.
func (s *tokenStore) Update(data map[string][]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = string(bytes.TrimSpace(data[whatsappv1alpha1.SecretKeyAccessToken]))
}

// Clear implements providerstate.CredentialSink.
func (s *tokenStore) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = ""
}

// Token returns the token, "" when none is loaded.
func (s *tokenStore) Token() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.token
}
