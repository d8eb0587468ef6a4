package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Keys the operator reads from the credentials Secret.
const (
	// SecretKeyAccessToken holds the system user access token.
	SecretKeyAccessToken = "accessToken"
	// SecretKeyAppSecret holds the Meta app secret that signs webhooks.
	SecretKeyAppSecret = "appSecret"
	// SecretKeyVerifyToken holds the webhook verification token.
	SecretKeyVerifyToken = "verifyToken"
)

// MetaProviderSpec describes one WhatsApp Business Account (WABA) and the Meta
// app whose credentials reach it.
// +kubebuilder:validation:XValidation:rule="!has(self.webhook) || !has(self.webhook.publicURL) || has(self.appID)",message="spec.appID is required when spec.webhook.publicURL is set: the operator must find its own app in the WABA's subscribed apps"
type MetaProviderSpec struct {
	// businessAccountID is the WhatsApp Business Account id (digits only), as
	// shown in Meta's WhatsApp Manager.
	// Immutable: channels and templates live in this WABA; create another
	// MetaProvider for another WABA.
	// +kubebuilder:validation:Pattern=`^[0-9]{1,32}$`
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.businessAccountID is immutable: create another MetaProvider for another WhatsApp Business Account"
	// +required
	BusinessAccountID string `json:"businessAccountID"`

	// appID is the Meta app id (digits only). When set, the operator inspects
	// the token with debug_token (expiry, scopes, owning app) and checks that
	// this app is subscribed to the WABA. Once set it cannot change: the
	// subscription belongs to the app.
	// +kubebuilder:validation:Pattern=`^[0-9]{1,32}$`
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.appID cannot change once set: create another MetaProvider for another Meta app"
	// +optional
	AppID string `json:"appID,omitempty"`

	// credentialsSecretRef names a Secret in the same namespace with the keys
	// accessToken (system user token), appSecret (signs webhooks) and
	// verifyToken (webhook handshake). A change to it is picked up at once.
	// +required
	CredentialsSecretRef SecretReference `json:"credentialsSecretRef"`

	// graphAPIVersion pins the Graph API version, e.g. v25.0. Defaults to the
	// operator's --graph-api-version.
	// +kubebuilder:validation:Pattern=`^v[0-9]{1,3}\.[0-9]{1,2}$`
	// +kubebuilder:validation:MaxLength=8
	// +optional
	GraphAPIVersion string `json:"graphAPIVersion,omitempty"`

	// templateLanguage is the language of the new_bot_message template the
	// relay falls back to outside the 24-hour service window.
	// +kubebuilder:validation:Pattern=`^[a-z]{2,3}(_[A-Za-z]{2,4})?$`
	// +kubebuilder:validation:MaxLength=12
	// +kubebuilder:default=en
	// +optional
	TemplateLanguage string `json:"templateLanguage,omitempty"`

	// syncInterval is how often Meta-side state (token, subscription, numbers,
	// template statuses) is re-read. At least 1m, at most 24h.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1m') && duration(self) <= duration('24h')",message="spec.syncInterval must be between 1m and 24h"
	// +kubebuilder:default="10m"
	// +optional
	SyncInterval *metav1.Duration `json:"syncInterval,omitempty"`

	// webhook configures the webhook server the operator runs for this provider.
	// +optional
	Webhook *ProviderWebhook `json:"webhook,omitempty"`

	// relay configures the outbound relay the operator runs for this
	// provider: chatbots send their replies through it and never hold the
	// access token.
	// +optional
	Relay *ProviderRelay `json:"relay,omitempty"`

	// suspend stops the operator from acting on this provider, as Flux's
	// spec.suspend does: no Graph API call (token, subscription, numbers)
	// and no change in the cluster (the webhook server and relay
	// Deployments are neither updated, scaled nor repaired) until it is
	// false again. Ready keeps its last status with reason Suspended, so
	// the provider's channels and templates carry on; the webhook server
	// keeps routing and the relay keeps sending. Deleting the provider is
	// not suspended.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// ProviderRelay configures the managed relay Deployment <provider>-relay.
type ProviderRelay struct {
	// replicas of the relay Deployment. Each replica paces a phone number at
	// its share of the number's throughput (the number's rate divided by
	// replicas), so more replicas add availability, not throughput.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=20
	// +kubebuilder:default=1
	// +optional
	Replicas *int32 `json:"replicas,omitempty"`

	// allowedNamespaces lists namespaces, besides the provider's own, whose
	// pods may send through the relay (its NetworkPolicy admits them). Each
	// sends with this provider's numbers: list only namespaces you trust
	// with them.
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=63
	// +kubebuilder:validation:XValidation:rule="self.all(n, n.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'))",message="spec.relay.allowedNamespaces: each entry must be a namespace name (a DNS label: at most 63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit)"
	// +listType=set
	// +optional
	AllowedNamespaces []string `json:"allowedNamespaces,omitempty"`

	// pod settings of the relay's pods: resources, node placement,
	// priority, labels and annotations.
	// +optional
	Pod *PodSettings `json:"pod,omitempty"`
}

// ProviderWebhook configures the managed webhook Deployment.
type ProviderWebhook struct {
	// replicas of the webhook Deployment. A PodDisruptionBudget is added when
	// greater than 1.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=20
	// +kubebuilder:default=1
	// +optional
	Replicas *int32 `json:"replicas,omitempty"`

	// publicURL is the HTTPS URL at which Meta reaches the webhook server
	// (through your Ingress or Gateway). When set it is registered as the
	// WABA's callback override, together with the verify token; Meta then
	// sends messages of this WABA there. It must end in /webhook.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="self.startsWith('https://')",message="spec.webhook.publicURL must be an https:// URL: Meta refuses plain HTTP callbacks"
	// +kubebuilder:validation:XValidation:rule="isURL(self)",message="spec.webhook.publicURL must be a valid URL"
	// +optional
	PublicURL string `json:"publicURL,omitempty"`

	// allowedEgressCIDRs are address ranges the webhook server may reach
	// besides DNS, the API server and the pods of this namespace: where the
	// chatbots named by spec.chatbot.url of your channels live (0.0.0.0/0
	// and ::/0 for anywhere on the internet). They open the webhook pods'
	// egress NetworkPolicy. Chatbot connections never reach loopback (the
	// pod itself) or a cloud metadata address, and reach link-local
	// addresses and the API server's only through a range that lies inside
	// such a block (169.254.20.10/32 for a node-local DNS cache): a broad
	// range such as 0.0.0.0/0 opens the internet, not those.
	// +kubebuilder:validation:MaxItems=32
	// +listType=set
	// +optional
	AllowedEgressCIDRs []CIDR `json:"allowedEgressCIDRs,omitempty"`

	// pod settings of the webhook server's pods: resources, node
	// placement, priority, labels and annotations.
	// +optional
	Pod *PodSettings `json:"pod,omitempty"`
}

// CIDR is an IPv4 or IPv6 address range, such as 203.0.113.0/24 or
// 2001:db8::/32.
// +kubebuilder:validation:MaxLength=49
// +kubebuilder:validation:XValidation:rule="isCIDR(self)",message="must be a CIDR range such as 203.0.113.0/24 or 2001:db8::/32"
type CIDR string

// MetaProviderStatus is the observed state of a MetaProvider.
type MetaProviderStatus struct {
	ReconcileStatus `json:",inline"`

	// businessAccountName is the WABA's name at Meta.
	// +optional
	BusinessAccountName string `json:"businessAccountName,omitempty"`

	// tokenExpiresAt is when the access token expires; absent for a
	// non-expiring token or when spec.appID is unset.
	// +optional
	TokenExpiresAt *metav1.Time `json:"tokenExpiresAt,omitempty"`

	// phoneNumberCount is the number of phone numbers in the WABA.
	// +optional
	PhoneNumberCount int32 `json:"phoneNumberCount,omitempty"`

	// webhook reports the managed webhook server.
	// +optional
	Webhook *ProviderWebhookStatus `json:"webhook,omitempty"`

	// relay reports the managed outbound relay.
	// +optional
	Relay *ProviderRelayStatus `json:"relay,omitempty"`
}

// ProviderRelayStatus reports the managed outbound relay.
type ProviderRelayStatus struct {
	// serviceName is the Service chatbots send through
	// (http://<serviceName>.<namespace> is their base URL).
	// +optional
	ServiceName string `json:"serviceName,omitempty"`
	// readyReplicas of the relay Deployment.
	// +optional
	ReadyReplicas int32 `json:"readyReplicas,omitempty"`
}

// ProviderWebhookStatus reports the managed webhook server.
type ProviderWebhookStatus struct {
	// serviceName is the Service in front of the webhook server.
	// +optional
	ServiceName string `json:"serviceName,omitempty"`
	// readyReplicas of the webhook Deployment.
	// +optional
	ReadyReplicas int32 `json:"readyReplicas,omitempty"`
	// callbackFingerprint identifies the callback override the operator
	// registered at Meta (spec.webhook.publicURL with the verify token): an
	// HMAC keyed by the app secret, which reveals neither. Meta does not
	// echo the verify token, so a changed token is seen here and
	// registered again.
	// +optional
	CallbackFingerprint string `json:"callbackFingerprint,omitempty"`
}

// MetaProvider is one WhatsApp Business Account and the Meta app credentials
// that reach it. Channels and templates reference it by name.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=mp,categories=whatsapp
// +kubebuilder:validation:XValidation:rule="self.metadata.name.size() <= 55 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",message="metadata.name of a MetaProvider must be at most 55 characters of a-z, 0-9 and '-', starting with a letter: it names the webhook Service <name>-webhook"
// +kubebuilder:printcolumn:name="WABA",type=string,JSONPath=`.spec.businessAccountID`
// +kubebuilder:printcolumn:name="Business",type=string,JSONPath=`.status.businessAccountName`
// +kubebuilder:printcolumn:name="Numbers",type=integer,JSONPath=`.status.phoneNumberCount`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="Message",type=string,priority=1,JSONPath=`.status.conditions[?(@.type=="Ready")].message`
type MetaProvider struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec MetaProviderSpec `json:"spec"`
	// +optional
	Status MetaProviderStatus `json:"status,omitempty"`
}

// MetaProviderList is a list of MetaProviders.
//
// +kubebuilder:object:root=true
type MetaProviderList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []MetaProvider `json:"items"`
}

func init() {
	SchemeBuilder.Register(&MetaProvider{}, &MetaProviderList{})
}
