package graphsim

import (
	"encoding/json"
	"time"
)

// Scopes a token may hold.
const (
	ScopeManagement = "whatsapp_business_management"
	ScopeMessaging  = "whatsapp_business_messaging"
)

// Template statuses the simulator uses (Meta's values).
const (
	StatusApproved = "APPROVED"
	StatusPending  = "PENDING"
	StatusRejected = "REJECTED"
	StatusPaused   = "PAUSED"
	StatusDisabled = "DISABLED"
)

// App is a Meta app: its secret signs webhooks and authenticates debug_token.
type App struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Secret string `json:"secret"`
	// CallbackURL, when set, receives template status webhooks for the WABAs
	// the app is subscribed to, signed with Secret, as Meta's app-level
	// callback does.
	CallbackURL string `json:"callbackURL,omitempty"`
}

// WABA is a WhatsApp Business Account.
type WABA struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// PhoneNumber is a business phone number. AddPhoneNumber fills empty fields
// with a healthy registered number's values.
type PhoneNumber struct {
	ID string `json:"id"`
	// DisplayPhoneNumber is Meta's format, such as "+1 202-555-0123".
	DisplayPhoneNumber     string `json:"display_phone_number"`
	VerifiedName           string `json:"verified_name"`
	CodeVerificationStatus string `json:"code_verification_status"`
	QualityRating          string `json:"quality_rating"`
	Status                 string `json:"status"`
	MessagingLimitTier     string `json:"messaging_limit_tier"`
	PlatformType           string `json:"platform_type"`
	NameStatus             string `json:"name_status"`
	ThroughputLevel        string `json:"throughput_level,omitempty"`
	AccountMode            string `json:"account_mode"`
}

// Token is an access token. Empty Scopes (nil) means both WhatsApp scopes;
// empty WABAs means every WABA. Type defaults to SYSTEM_USER.
type Token struct {
	Value     string    `json:"value"`
	AppID     string    `json:"appID"`
	Type      string    `json:"type,omitempty"`
	Scopes    []string  `json:"scopes,omitempty"`
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
	WABAs     []string  `json:"wabas,omitempty"`
	Revoked   bool      `json:"revoked,omitempty"`
}

// Subscription is one app subscribed to a WABA.
type Subscription struct {
	AppID               string `json:"appID"`
	AppName             string `json:"appName"`
	OverrideCallbackURI string `json:"overrideCallbackURI,omitempty"`
	VerifyToken         string `json:"-"`
}

// BusinessProfile is a phone number's business profile.
type BusinessProfile struct {
	About             string   `json:"about,omitempty"`
	Address           string   `json:"address,omitempty"`
	Description       string   `json:"description,omitempty"`
	Email             string   `json:"email,omitempty"`
	Vertical          string   `json:"vertical,omitempty"`
	Websites          []string `json:"websites,omitempty"`
	ProfilePictureURL string   `json:"profile_picture_url,omitempty"`
}

// Template is a message template as the simulator holds it. Components are
// kept exactly as submitted.
type Template struct {
	ID       string `json:"id"`
	WABAID   string `json:"wabaID"`
	Name     string `json:"name"`
	Language string `json:"language"`
	Category string `json:"category"`
	// PreviousCategory is set when Meta re-categorised the template.
	PreviousCategory string          `json:"previousCategory,omitempty"`
	Status           string          `json:"status"`
	RejectedReason   string          `json:"rejectedReason,omitempty"`
	QualityScore     string          `json:"qualityScore,omitempty"`
	ParameterFormat  string          `json:"parameterFormat,omitempty"`
	Components       json.RawMessage `json:"components,omitempty"`
	// Edits are the times this template was edited while APPROVED.
	Edits []time.Time `json:"edits,omitempty"`
}

// clone returns a copy sharing no slices with t.
func (t Template) clone() Template {
	t.Components = append(json.RawMessage(nil), t.Components...)
	t.Edits = append([]time.Time(nil), t.Edits...)
	return t
}

// SentMessage is a message accepted by POST /{phone-number-id}/messages.
type SentMessage struct {
	ID            string          `json:"id"`
	PhoneNumberID string          `json:"phoneNumberID"`
	To            string          `json:"to"`
	Type          string          `json:"type"`
	Body          json.RawMessage `json:"body"`
	SentAt        time.Time       `json:"sentAt"`
}

// Media is an uploaded media file (its bytes are not kept).
type Media struct {
	ID            string `json:"id"`
	PhoneNumberID string `json:"phoneNumberID"`
	MIMEType      string `json:"mimeType"`
	Filename      string `json:"filename"`
	Size          int    `json:"size"`
	SHA256        string `json:"sha256"`
}

// Review is the decision a template review reaches: Status APPROVED or
// REJECTED (with Reason such as INVALID_FORMAT). An empty Status means
// manual review: templates stay PENDING until SetTemplateStatus.
type Review struct {
	Status string `json:"status,omitempty"`
	Reason string `json:"reason,omitempty"`
}
