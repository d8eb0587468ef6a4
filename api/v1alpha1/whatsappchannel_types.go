package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// WhatsAppChannelSpec binds one phone number of a provider's WABA to one chatbot.
type WhatsAppChannelSpec struct {
	// providerRef names the MetaProvider whose WABA holds the number.
	// +required
	ProviderRef ProviderReference `json:"providerRef"`

	// phoneNumber in E.164 form with the leading +, e.g. +12025550123.
	// Immutable: create another channel for another number.
	// +kubebuilder:validation:Pattern=`^\+[1-9][0-9]{6,14}$`
	// +kubebuilder:validation:MaxLength=16
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.phoneNumber is immutable: create a new WhatsAppChannel for another number"
	// +required
	PhoneNumber string `json:"phoneNumber"`

	// chatbot receives every inbound message and status of this number, as
	// Meta-shaped JSON: set exactly one of serviceRef (a Service in this
	// namespace, reached through its ready endpoints) or url.
	// +required
	Chatbot ChatbotTarget `json:"chatbot"`

	// profile, when set, is the WhatsApp business profile of the number; the
	// operator keeps Meta's copy equal to it: address, description, email
	// and websites absent here are cleared at Meta; about and vertical,
	// which Meta cannot hold empty, are left as they are when absent.
	// Unset leaves the whole profile alone.
	// +optional
	Profile *BusinessProfile `json:"profile,omitempty"`

	// registration, when set, lets the operator register the number on the
	// Cloud API (Meta's POST /{phone-number-id}/register) once Meta has
	// approved its display name and reports it not registered. Unset, the
	// number must be registered by hand, and the channel says so.
	// +optional
	Registration *NumberRegistration `json:"registration,omitempty"`

	// suspend stops the operator from acting on this channel, as Flux's
	// spec.suspend does: no Graph API call (number, profile, registration)
	// and no change until it is false again. Ready keeps its last status
	// with reason Suspended: the webhook server keeps routing the number
	// to its chatbot and the relay keeps sending for it.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// NumberRegistration says how the operator registers the number.
type NumberRegistration struct {
	// pinSecretRef names the key of a Secret in the channel's namespace
	// that holds the number's six-digit two-step verification PIN: a new
	// number gets this PIN; a number that already has one must be given
	// that one.
	// +required
	PINSecretRef SecretKeyReference `json:"pinSecretRef"`
}

// ChatbotTarget is where the webhook server forwards a number's webhooks:
// exactly one of serviceRef or url.
// +kubebuilder:validation:XValidation:rule="has(self.serviceRef) != has(self.url)",message="spec.chatbot: set exactly one of serviceRef or url"
type ChatbotTarget struct {
	// serviceRef is a Service in the channel's namespace; the webhook server
	// sends to its ready endpoints, spread across them.
	// +optional
	ServiceRef *ServiceReference `json:"serviceRef,omitempty"`

	// url is an http(s) URL outside the cluster (or any URL the webhook
	// server reaches).
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && (self.startsWith('http://') || self.startsWith('https://'))",message="spec.chatbot.url must be an http:// or https:// URL"
	// +optional
	URL string `json:"url,omitempty"`

	// path is the HTTP path on the Service that receives webhooks; used with
	// serviceRef only.
	// +kubebuilder:validation:MaxLength=1024
	// +kubebuilder:validation:Pattern=`^/`
	// +kubebuilder:default="/"
	// +optional
	Path string `json:"path,omitempty"`
}

// ServiceReference names a Service port in the same namespace.
type ServiceReference struct {
	// name of the Service.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +required
	Name string `json:"name"`

	// port of the Service: its number or its name.
	// +required
	Port intstr.IntOrString `json:"port"`
}

// BusinessProfile is the WhatsApp business profile of a number; limits are
// Meta's.
type BusinessProfile struct {
	// about is the profile's "About" text, 1 to 139 characters.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=139
	// +optional
	About string `json:"about,omitempty"`

	// address of the business, at most 256 characters.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Address string `json:"address,omitempty"`

	// description of the business, at most 512 characters.
	// +kubebuilder:validation:MaxLength=512
	// +optional
	Description string `json:"description,omitempty"`

	// email of the business, at most 128 characters.
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:Pattern=`^[^@\s]+@[^@\s]+\.[^@\s]+$`
	// +optional
	Email string `json:"email,omitempty"`

	// vertical is the business's industry, from Meta's list.
	// +kubebuilder:validation:Enum=OTHER;AUTO;BEAUTY;APPAREL;EDU;ENTERTAIN;EVENT_PLAN;FINANCE;GROCERY;GOVT;HOTEL;HEALTH;NONPROFIT;PROF_SERVICES;RETAIL;TRAVEL;RESTAURANT;ALCOHOL;ONLINE_GAMBLING;PHYSICAL_GAMBLING;OTC_DRUGS
	// +optional
	Vertical string `json:"vertical,omitempty"`

	// websites of the business: at most 2 http(s) URLs of at most 256 characters.
	// +kubebuilder:validation:MaxItems=2
	// +kubebuilder:validation:items:MaxLength=256
	// +kubebuilder:validation:items:Pattern=`^https?://`
	// +listType=atomic
	// +optional
	Websites []string `json:"websites,omitempty"`
}

// WhatsAppChannelStatus is the observed state of a WhatsAppChannel.
type WhatsAppChannelStatus struct {
	ReconcileStatus `json:",inline"`

	// phoneNumberID is Meta's id of the number: webhooks and the relay use it.
	// +optional
	PhoneNumberID string `json:"phoneNumberID,omitempty"`
	// displayPhoneNumber as Meta formats it.
	// +optional
	DisplayPhoneNumber string `json:"displayPhoneNumber,omitempty"`
	// verifiedName is the display name Meta approved.
	// +optional
	VerifiedName string `json:"verifiedName,omitempty"`
	// codeVerificationStatus is Meta's ownership verification state.
	// +optional
	CodeVerificationStatus string `json:"codeVerificationStatus,omitempty"`
	// qualityRating: GREEN, YELLOW, RED or UNKNOWN.
	// +optional
	QualityRating string `json:"qualityRating,omitempty"`
	// messagingLimitTier, e.g. TIER_1K.
	// +optional
	MessagingLimitTier string `json:"messagingLimitTier,omitempty"`
	// nameStatus is Meta's review of the display name (name_status):
	// PENDING_REVIEW, APPROVED, AVAILABLE_WITHOUT_REVIEW, DECLINED,
	// EXPIRED or NONE. A number is registered once its name is approved.
	// +optional
	NameStatus string `json:"nameStatus,omitempty"`
	// numberStatus is the number's status at Meta (status), e.g. CONNECTED,
	// PENDING, DISCONNECTED, FLAGGED, RESTRICTED, BANNED.
	// +optional
	NumberStatus string `json:"numberStatus,omitempty"`
	// platformType is where the number is registered (platform_type):
	// CLOUD_API, ON_PREMISE, or NOT_APPLICABLE while not registered.
	// +optional
	PlatformType string `json:"platformType,omitempty"`
	// throughputLevel is Meta's throughput.level of the number: STANDARD
	// (80 messages per second), HIGH (up to 1,000) or NOT_APPLICABLE.
	// +optional
	ThroughputLevel string `json:"throughputLevel,omitempty"`
	// accountMode is LIVE or SANDBOX (account_mode).
	// +optional
	AccountMode string `json:"accountMode,omitempty"`
	// registration records the operator's register calls for the number
	// while it is not registered; absent once Meta reports it registered.
	// +optional
	Registration *RegistrationStatus `json:"registration,omitempty"`
}

// RegistrationStatus records the operator's attempts to register a number.
// Meta allows 10 attempts per number in 72 hours, so attempts are spent
// once per need and never in a loop.
type RegistrationStatus struct {
	// attempts counts register calls since Meta last reported the number
	// registered.
	// +optional
	Attempts int32 `json:"attempts,omitempty"`
	// lastAttemptTime is when the last register call was made.
	// +optional
	LastAttemptTime *metav1.Time `json:"lastAttemptTime,omitempty"`
	// nextAttemptTime is the earliest time of another attempt, after a
	// failure that may pass (Meta's attempt limit, a transient error).
	// +optional
	NextAttemptTime *metav1.Time `json:"nextAttemptTime,omitempty"`
	// pinSecretVersion is the resourceVersion of the PIN Secret the last
	// attempt read: a PIN Meta refused is not tried again until the Secret
	// (or the spec) changes.
	// +optional
	PINSecretVersion string `json:"pinSecretVersion,omitempty"`
}

// WhatsAppChannel routes one phone number of a MetaProvider's WABA to one chatbot.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=wac,categories=whatsapp
// +kubebuilder:printcolumn:name="Phone",type=string,JSONPath=`.spec.phoneNumber`
// +kubebuilder:printcolumn:name="Verified Name",type=string,JSONPath=`.status.verifiedName`
// +kubebuilder:printcolumn:name="Name Status",type=string,JSONPath=`.status.nameStatus`
// +kubebuilder:printcolumn:name="Quality",type=string,JSONPath=`.status.qualityRating`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="Status",type=string,priority=1,JSONPath=`.status.numberStatus`
// +kubebuilder:printcolumn:name="Platform",type=string,priority=1,JSONPath=`.status.platformType`
// +kubebuilder:printcolumn:name="Tier",type=string,priority=1,JSONPath=`.status.messagingLimitTier`
// +kubebuilder:printcolumn:name="Throughput",type=string,priority=1,JSONPath=`.status.throughputLevel`
// +kubebuilder:printcolumn:name="Mode",type=string,priority=1,JSONPath=`.status.accountMode`
// +kubebuilder:printcolumn:name="Message",type=string,priority=1,JSONPath=`.status.conditions[?(@.type=="Ready")].message`
type WhatsAppChannel struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec WhatsAppChannelSpec `json:"spec"`
	// +optional
	Status WhatsAppChannelStatus `json:"status,omitempty"`
}

// WhatsAppChannelList is a list of WhatsAppChannels.
//
// +kubebuilder:object:root=true
type WhatsAppChannelList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []WhatsAppChannel `json:"items"`
}

func init() {
	SchemeBuilder.Register(&WhatsAppChannel{}, &WhatsAppChannelList{})
}
