package v1alpha1

// Keys of the Secrets the operator derives for a MetaProvider, besides
// SecretKeyAppSecret and SecretKeyVerifyToken.
const (
	// SecretKeyAppSecretPrevious is an optional key of the credentials
	// Secret: an app secret still accepted beside appSecret, for as long as
	// the key is there. It lets a rotation span restarts and every replica.
	// The operator copies it into the webhook Secret.
	SecretKeyAppSecretPrevious = "appSecretPrevious"
	// SecretKeyForwardingKey holds the key of the HMAC-SHA256 in the
	// X-Hub-Signature-256 header of every body the webhook server forwards
	// to a chatbot (64 hex characters, used as they are, like Meta's app
	// secret). It is in the Secret ForwardingSecretName(provider), which
	// chatbots of the provider's namespace read or mount.
	SecretKeyForwardingKey = "forwardingKey"
)

// WebhookSecretName is the Secret the operator writes for the webhook
// server of the MetaProvider called provider: appSecret, verifyToken
// (and appSecretPrevious) copied from the credentials Secret, and
// forwardingKey. It never holds the access token.
func WebhookSecretName(provider string) string { return provider + "-webhook" }

// ForwardingSecretName is the Secret holding the forwarding key of the
// MetaProvider called provider (key SecretKeyForwardingKey). The operator
// generates the key once; deleting the Secret rotates it.
func ForwardingSecretName(provider string) string { return provider + "-forwarding" }
