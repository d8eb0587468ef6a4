package providerstate

import (
	"bytes"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// SecretSpec says which Secret holds a consumer's credentials and which of
// its keys the consumer reads.
type SecretSpec struct {
	// Name returns the name of the Secret to watch for the provider (never
	// nil when called); "" watches nothing. Nil means the provider's
	// spec.credentialsSecretRef.name.
	Name func(*whatsappv1alpha1.MetaProvider) string
	// Keys are copied out of the Secret; no other value of it is kept.
	Keys []string
	// Required are the keys that must be present and non-blank for
	// CredentialsReady; each should also be in Keys.
	Required []string
}

// CredentialSink receives the selected keys of the Secret: Update on every
// add or change, Clear when the Secret or the provider is gone or the watch
// moves to another Secret. Calls are serialised.
type CredentialSink interface {
	Update(data map[string][]byte)
	Clear()
}

// secretName is the Secret to watch for provider (nil: none).
func (s SecretSpec) secretName(provider *whatsappv1alpha1.MetaProvider) string {
	switch {
	case provider == nil:
		return ""
	case s.Name != nil:
		return s.Name(provider)
	default:
		return provider.Spec.CredentialsSecretRef.Name
	}
}

// pick copies the keys in s.Keys out of data.
func (s SecretSpec) pick(data map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(s.Keys))
	for _, k := range s.Keys {
		if v, ok := data[k]; ok {
			out[k] = bytes.Clone(v)
		}
	}
	return out
}

// complete reports whether every required key holds more than whitespace.
func (s SecretSpec) complete(data map[string][]byte) bool {
	for _, k := range s.Required {
		if len(bytes.TrimSpace(data[k])) == 0 {
			return false
		}
	}
	return true
}
