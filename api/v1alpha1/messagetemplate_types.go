package v1alpha1

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Template categories Meta accepts.
const (
	CategoryUtility        = "UTILITY"
	CategoryMarketing      = "MARKETING"
	CategoryAuthentication = "AUTHENTICATION"
)

// Parameter formats of a template's variables.
const (
	// ParameterFormatPositional uses {{1}}, {{2}}, ... with spec.*.examples.
	ParameterFormatPositional = "POSITIONAL"
	// ParameterFormatNamed uses {{lower_snake}} names with spec.*.namedExamples.
	ParameterFormatNamed = "NAMED"
)

// Deletion policies of a MessageTemplate.
const (
	// DeletionPolicyDelete deletes the template at Meta with the object.
	DeletionPolicyDelete = "Delete"
	// DeletionPolicyOrphan leaves the template at Meta.
	DeletionPolicyOrphan = "Orphan"
)

// MessageTemplateSpec is a WhatsApp message template as submitted to Meta.
//
// +kubebuilder:validation:XValidation:rule="has(self.name) == has(oldSelf.name)",message="spec.name is immutable: Meta cannot rename a template; create a new MessageTemplate",fieldPath=".name"
// +kubebuilder:validation:XValidation:rule="!has(self.body) || ((has(self.parameterFormat) && self.parameterFormat == 'NAMED') ? (!has(self.body.examples) && (!has(self.header) || !has(self.header.examples))) : (!has(self.body.namedExamples) && (!has(self.header) || !has(self.header.namedExamples))))",message="spec.body: use examples with parameterFormat POSITIONAL and namedExamples with NAMED; the two are never mixed",fieldPath=".body"
// +kubebuilder:validation:XValidation:rule=`!has(self.body) || ((has(self.parameterFormat) && self.parameterFormat == 'NAMED') || size(self.body.text.findAll(r'\{\{[^{}]*\}\}')) == size(self.body.text.findAll(r'\{\{[1-9][0-9]{0,2}\}\}')))`,message="spec.body.text: with parameterFormat POSITIONAL every variable is a number such as {{1}}; use parameterFormat NAMED for {{name}} variables",fieldPath=".body.text"
// +kubebuilder:validation:XValidation:rule=`!has(self.body) || (!has(self.parameterFormat) || self.parameterFormat != 'NAMED' || size(self.body.text.findAll(r'\{\{[^{}]*\}\}')) == size(self.body.text.findAll(r'\{\{[a-z_][a-z0-9_]{0,63}\}\}')))`,message="spec.body.text: with parameterFormat NAMED every variable is a lower_snake_case name such as {{first_name}}, never a number",fieldPath=".body.text"
// +kubebuilder:validation:XValidation:rule=`!has(self.body) || ((has(self.parameterFormat) && self.parameterFormat == 'NAMED') || size(self.body.text.findAll(r'\{\{[0-9]{1,3}\}\}')) == (has(self.body.examples) ? size(self.body.examples) : 0))`,message="spec.body: give exactly one entry in spec.body.examples per variable ({{1}}, {{2}}, ...), each variable used once",fieldPath=".body"
// +kubebuilder:validation:XValidation:rule=`!has(self.body) || ((has(self.parameterFormat) && self.parameterFormat == 'NAMED') || [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20].all(k, k > (has(self.body.examples) ? size(self.body.examples) : 0) || self.body.text.contains(['{{1}}', '{{2}}', '{{3}}', '{{4}}', '{{5}}', '{{6}}', '{{7}}', '{{8}}', '{{9}}', '{{10}}', '{{11}}', '{{12}}', '{{13}}', '{{14}}', '{{15}}', '{{16}}', '{{17}}', '{{18}}', '{{19}}', '{{20}}'][k - 1])))`,message="spec.body: variables must be {{1}} to {{n}} in sequence, with no number skipped",fieldPath=".body"
// +kubebuilder:validation:XValidation:rule=`!has(self.body) || (!has(self.parameterFormat) || self.parameterFormat != 'NAMED' || size(self.body.text.findAll(r'\{\{[^{}]*\}\}')) == (has(self.body.namedExamples) ? self.body.namedExamples.map(e, size(self.body.text.split('{{' + e.name + '}}')) - 1).sum() : 0))`,message="spec.body: with parameterFormat NAMED every variable needs exactly one entry in spec.body.namedExamples",fieldPath=".body"
// +kubebuilder:validation:XValidation:rule=`!has(self.body) || (!has(self.parameterFormat) || self.parameterFormat != 'NAMED' || !has(self.body.namedExamples) || self.body.namedExamples.all(e, self.body.text.contains('{{' + e.name + '}}')))`,message="spec.body: every entry of spec.body.namedExamples must be used in spec.body.text",fieldPath=".body"
// +kubebuilder:validation:XValidation:rule=`(has(self.parameterFormat) && self.parameterFormat == 'NAMED') || !has(self.header) || !has(self.header.text) || (size(self.header.text.findAll(r'\{\{[^{}]*\}\}')) == (has(self.header.examples) ? size(self.header.examples) : 0) && self.header.text.findAll(r'\{\{[^{}]*\}\}').all(v, v == '{{1}}'))`,message="spec.header: a TEXT header has at most one variable, {{1}}, with exactly one entry in spec.header.examples",fieldPath=".header"
// +kubebuilder:validation:XValidation:rule=`!has(self.parameterFormat) || self.parameterFormat != 'NAMED' || !has(self.header) || !has(self.header.text) || (size(self.header.text.findAll(r'\{\{[^{}]*\}\}')) == (has(self.header.namedExamples) ? size(self.header.namedExamples) : 0) && self.header.text.findAll(r'\{\{[^{}]*\}\}').all(v, self.header.namedExamples.exists(e, '{{' + e.name + '}}' == v)))`,message="spec.header: a TEXT header has at most one {{name}} variable, with exactly one matching entry in spec.header.namedExamples",fieldPath=".header"
// +kubebuilder:validation:XValidation:rule="!has(self.buttons) || self.buttons.filter(b, b.type == 'QUICK_REPLY').size() <= 3",message="spec.buttons: at most 3 QUICK_REPLY buttons",fieldPath=".buttons"
// +kubebuilder:validation:XValidation:rule="!has(self.buttons) || self.buttons.filter(b, b.type == 'URL').size() <= 1",message="spec.buttons: at most one URL button",fieldPath=".buttons"
// +kubebuilder:validation:XValidation:rule="!has(self.buttons) || self.buttons.filter(b, b.type == 'PHONE_NUMBER').size() <= 1",message="spec.buttons: at most one PHONE_NUMBER button",fieldPath=".buttons"
// +kubebuilder:validation:XValidation:rule="!has(self.buttons) || self.buttons.filter(b, b.type == 'COPY_CODE').size() <= 1",message="spec.buttons: at most one COPY_CODE button",fieldPath=".buttons"
// +kubebuilder:validation:XValidation:rule="!has(self.buttons) || self.category == 'MARKETING' || !self.buttons.exists(b, b.type == 'COPY_CODE')",message="spec.buttons: a COPY_CODE button (an offer code) is for MARKETING templates only; an AUTHENTICATION template's code button is spec.authentication.otp",fieldPath=".buttons"
// +kubebuilder:validation:XValidation:rule="self.category != 'AUTHENTICATION' || (has(self.authentication) && !has(self.body) && !has(self.header) && !has(self.footer) && !has(self.buttons))",message="spec: an AUTHENTICATION template is spec.authentication alone: Meta writes its text (\"<code> is your verification code.\"), so it has no body, header, footer or buttons",fieldPath=".authentication"
// +kubebuilder:validation:XValidation:rule="self.category == 'AUTHENTICATION' || (has(self.body) && !has(self.authentication))",message="spec.body is required, and spec.authentication is for category AUTHENTICATION only",fieldPath=".body"
type MessageTemplateSpec struct {
	// providerRef names the MetaProvider whose WABA owns the template.
	// +required
	ProviderRef ProviderReference `json:"providerRef"`

	// name of the template at Meta: lowercase letters, digits and
	// underscores. Defaults to metadata.name with '-' replaced by '_'.
	// Immutable.
	// +kubebuilder:validation:Pattern=`^[a-z0-9_]{1,512}$`
	// +kubebuilder:validation:MaxLength=512
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.name is immutable: Meta cannot rename a template; create a new MessageTemplate"
	// +optional
	Name string `json:"name,omitempty"`

	// language code of this translation, e.g. en_US or pt_BR. Immutable.
	// +kubebuilder:validation:Pattern=`^[a-z]{2,3}(_[A-Za-z]{2,4})?$`
	// +kubebuilder:validation:MaxLength=12
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.language is immutable: create a new MessageTemplate for another language"
	// +required
	Language string `json:"language"`

	// category requested from Meta. Meta may assign another one; see
	// status.category.
	// +kubebuilder:validation:Enum=UTILITY;MARKETING;AUTHENTICATION
	// +required
	Category string `json:"category"`

	// parameterFormat of the variables: POSITIONAL ({{1}}, {{2}}) or NAMED
	// ({{first_name}}). Meta fixes it at creation, so it is immutable.
	// +kubebuilder:validation:Enum=POSITIONAL;NAMED
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.parameterFormat is immutable: Meta fixes it when the template is created"
	// +kubebuilder:default=POSITIONAL
	// +optional
	ParameterFormat string `json:"parameterFormat,omitempty"`

	// header is the optional first line: text, or a media sample.
	// +optional
	Header *TemplateHeader `json:"header,omitempty"`

	// body is the message text. Required for UTILITY and MARKETING; an
	// AUTHENTICATION template has none (see authentication).
	// +optional
	Body TemplateBody `json:"body,omitzero"`

	// footer is an optional last line without variables.
	// +optional
	Footer *TemplateFooter `json:"footer,omitempty"`

	// authentication is what an AUTHENTICATION template says: Meta writes
	// its text; the spec chooses the additions and the one-time-password
	// button. Only with category AUTHENTICATION, and then alone.
	// +optional
	Authentication *TemplateAuthentication `json:"authentication,omitempty"`

	// buttons: at most 3 QUICK_REPLY, one URL, one PHONE_NUMBER and (in a
	// MARKETING template) one COPY_CODE.
	// +kubebuilder:validation:MaxItems=10
	// +listType=atomic
	// +optional
	Buttons []TemplateButton `json:"buttons,omitempty"`

	// deletionPolicy: Delete removes the template at Meta when this object
	// is deleted; Orphan leaves it there.
	// +kubebuilder:validation:Enum=Delete;Orphan
	// +kubebuilder:default=Delete
	// +optional
	DeletionPolicy string `json:"deletionPolicy,omitempty"`

	// suspend stops the operator from acting on this template, as Flux's
	// spec.suspend does: it is neither submitted, edited nor re-read at
	// Meta until suspend is false again; a spec change made meanwhile is
	// sent then. Ready keeps its last status with reason Suspended, so the
	// relay keeps using an approved new_bot_message. Deleting the object
	// is not suspended: deletionPolicy applies.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// TemplateHeader is a template's header component.
//
// +kubebuilder:validation:XValidation:rule="self.format == 'TEXT' ? has(self.text) : !has(self.text)",message="spec.header.text is required when spec.header.format is TEXT, and not allowed otherwise"
// +kubebuilder:validation:XValidation:rule="self.format in ['IMAGE', 'VIDEO', 'DOCUMENT'] ? has(self.exampleURL) : !has(self.exampleURL)",message="spec.header.exampleURL (a sample media URL) is required for IMAGE, VIDEO and DOCUMENT headers, and not allowed otherwise"
type TemplateHeader struct {
	// format of the header.
	// +kubebuilder:validation:Enum=TEXT;IMAGE;VIDEO;DOCUMENT;LOCATION
	// +required
	Format string `json:"format"`

	// text of a TEXT header, at most 60 characters and one variable.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=60
	// +optional
	Text string `json:"text,omitempty"`

	// examples: one sample value for the {{1}} variable (POSITIONAL).
	// +kubebuilder:validation:MaxItems=1
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=60
	// +listType=atomic
	// +optional
	Examples []string `json:"examples,omitempty"`

	// namedExamples: one sample value for the named variable (NAMED).
	// +kubebuilder:validation:MaxItems=1
	// +listType=map
	// +listMapKey=name
	// +optional
	NamedExamples []NamedExample `json:"namedExamples,omitempty"`

	// exampleURL is a sample of the media (IMAGE, VIDEO, DOCUMENT) that Meta's
	// reviewers look at. The operator fetches it (https only; JPEG or PNG up
	// to 5 MiB, MP4 or PDF up to 16 MiB; not from loopback, link-local or
	// private addresses) and uploads it to Meta once per content; the
	// provider needs spec.appID for that.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && self.startsWith('https://')",message="spec.header.exampleURL must be an https:// URL"
	// +optional
	ExampleURL string `json:"exampleURL,omitempty"`
}

// TemplateBody is a template's body component.
//
// +kubebuilder:validation:XValidation:rule=`!self.text.matches(r'^\s*\{\{')`,message="spec.body.text cannot start with a variable: Meta rejects it; put words before it"
// +kubebuilder:validation:XValidation:rule=`!self.text.matches(r'\}\}[\s\p{P}]*$')`,message="spec.body.text cannot end with a variable, even followed by punctuation: Meta rejects it; put words after it"
// +kubebuilder:validation:XValidation:rule=`!self.text.matches(r'\}\}\s*\{\{')`,message="spec.body.text has two variables next to each other (such as {{1}} {{2}}): Meta rejects it; put words between them"
// +kubebuilder:validation:XValidation:rule=`size(self.text.findAll(r'\S+')) >= 3 * size(self.text.findAll(r'\{\{[^{}]*\}\}')) + 1`,message="spec.body.text has too many variables for its length: Meta rejects a body with fewer than 3 words per variable plus one, the variables counted as words (7 for 2 variables); add words or remove variables"
type TemplateBody struct {
	// text of the message, at most 1024 characters.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	// +required
	Text string `json:"text"`

	// examples: one sample value per variable, in order (POSITIONAL).
	// +kubebuilder:validation:MaxItems=20
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=256
	// +listType=atomic
	// +optional
	Examples []string `json:"examples,omitempty"`

	// namedExamples: one sample value per named variable (NAMED).
	// +kubebuilder:validation:MaxItems=20
	// +listType=map
	// +listMapKey=name
	// +optional
	NamedExamples []NamedExample `json:"namedExamples,omitempty"`
}

// NamedExample is a sample value of a named variable.
type NamedExample struct {
	// name of the variable without braces, lower_snake_case.
	// +kubebuilder:validation:Pattern=`^[a-z_][a-z0-9_]{0,63}$`
	// +kubebuilder:validation:MaxLength=64
	// +required
	Name string `json:"name"`

	// example value Meta's reviewers see.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	// +required
	Example string `json:"example"`
}

// TemplateFooter is a template's footer component.
type TemplateFooter struct {
	// text of the footer, at most 60 characters, no variables.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=60
	// +kubebuilder:validation:XValidation:rule="!self.contains('{{')",message="spec.footer.text cannot contain variables"
	// +required
	Text string `json:"text"`
}

// TemplateButton is one button of a template.
//
// +kubebuilder:validation:XValidation:rule="self.type == 'COPY_CODE' ? !has(self.text) : has(self.text)",message="spec.buttons[].text is required, except on a COPY_CODE button, which Meta labels itself"
// +kubebuilder:validation:XValidation:rule="self.type != 'QUICK_REPLY' || !has(self.text) || size(self.text) <= 20",message="spec.buttons[].text of a QUICK_REPLY button is at most 20 characters"
// +kubebuilder:validation:XValidation:rule="self.type == 'URL' ? has(self.url) : !has(self.url)",message="spec.buttons[].url is required for a URL button, and not allowed otherwise"
// +kubebuilder:validation:XValidation:rule="self.type == 'PHONE_NUMBER' ? has(self.phoneNumber) : !has(self.phoneNumber)",message="spec.buttons[].phoneNumber is required for a PHONE_NUMBER button, and not allowed otherwise"
// +kubebuilder:validation:XValidation:rule="self.type != 'URL' || !has(self.url) || (self.url.contains('{{') == has(self.example))",message="spec.buttons[].example is required when the URL has a {{1}} variable, and not allowed otherwise"
// +kubebuilder:validation:XValidation:rule="self.type != 'COPY_CODE' || (has(self.example) && size(self.example) <= 15)",message="spec.buttons[].example of a COPY_CODE button is the sample offer code Meta's reviewers see, 1 to 15 characters"
type TemplateButton struct {
	// type of the button. COPY_CODE copies an offer code (MARKETING only).
	// +kubebuilder:validation:Enum=QUICK_REPLY;URL;PHONE_NUMBER;COPY_CODE
	// +required
	Type string `json:"type"`

	// text on the button, at most 25 characters (20 for QUICK_REPLY); none
	// on a COPY_CODE button.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=25
	// +optional
	Text string `json:"text,omitempty"`

	// url of a URL button; may end with one {{1}} variable.
	// +kubebuilder:validation:MaxLength=2000
	// +kubebuilder:validation:XValidation:rule=`self.matches(r'^https?://[^{}]+(\{\{1\}\})?$')`,message="spec.buttons[].url must be an http(s) URL with at most one variable, {{1}}, at its end"
	// +optional
	URL string `json:"url,omitempty"`

	// example is the URL with the variable filled in (URL), or the sample
	// offer code (COPY_CODE), for Meta's reviewers.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2000
	// +optional
	Example string `json:"example,omitempty"`

	// phoneNumber of a PHONE_NUMBER button, E.164 with the leading +.
	// +kubebuilder:validation:Pattern=`^\+[1-9][0-9]{6,14}$`
	// +kubebuilder:validation:MaxLength=16
	// +optional
	PhoneNumber string `json:"phoneNumber,omitempty"`
}

// TemplateAuthentication is an AUTHENTICATION template: Meta writes its
// text ("<code> is your verification code."); the spec chooses the
// optional sentences and the one-time-password button.
type TemplateAuthentication struct {
	// addSecurityRecommendation adds "For your security, do not share this
	// code." to the body.
	// +optional
	AddSecurityRecommendation bool `json:"addSecurityRecommendation,omitempty"`

	// codeExpirationMinutes adds "This code expires in N minutes." as the
	// footer, 1 to 90.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=90
	// +optional
	CodeExpirationMinutes *int32 `json:"codeExpirationMinutes,omitempty"`

	// otp is the one-time-password button.
	// +required
	OTP OTPButton `json:"otp"`
}

// OTPButton is the one-time-password button of an AUTHENTICATION template.
//
// +kubebuilder:validation:XValidation:rule="self.type == 'COPY_CODE' ? (!has(self.supportedApps) && !has(self.autofillText) && !has(self.zeroTapTermsAccepted)) : has(self.supportedApps)",message="spec.authentication.otp: a ONE_TAP or ZERO_TAP button needs supportedApps (the Android apps that receive the code); a COPY_CODE button has no supportedApps, autofillText or zeroTapTermsAccepted",fieldPath=".supportedApps"
// +kubebuilder:validation:XValidation:rule="self.type != 'ZERO_TAP' || (has(self.zeroTapTermsAccepted) && self.zeroTapTermsAccepted)",message="spec.authentication.otp.zeroTapTermsAccepted must be true for a ZERO_TAP button: Meta asks you to accept its zero-tap terms",fieldPath=".zeroTapTermsAccepted"
type OTPButton struct {
	// type of the button: COPY_CODE copies the code (any device), ONE_TAP
	// autofills it into an Android app, ZERO_TAP hands it to the Android
	// app without a tap (falling back to one tap, then copy code).
	// +kubebuilder:validation:Enum=COPY_CODE;ONE_TAP;ZERO_TAP
	// +required
	Type string `json:"type"`

	// text of the copy-code button; Meta's localized label when unset.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=25
	// +optional
	Text string `json:"text,omitempty"`

	// autofillText of the autofill button (ONE_TAP, ZERO_TAP); Meta's
	// localized label when unset.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=25
	// +optional
	AutofillText string `json:"autofillText,omitempty"`

	// zeroTapTermsAccepted says you accept Meta's zero-tap terms; required
	// (true) for ZERO_TAP.
	// +optional
	ZeroTapTermsAccepted bool `json:"zeroTapTermsAccepted,omitempty"`

	// supportedApps are the Android apps that receive the code (ONE_TAP,
	// ZERO_TAP): 1 to 5.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=5
	// +listType=atomic
	// +optional
	SupportedApps []SupportedApp `json:"supportedApps,omitempty"`
}

// SupportedApp is an Android app that receives one-time passwords.
type SupportedApp struct {
	// packageName of the app, such as com.example.shop: two or more
	// dot-separated segments, each starting with a letter, of letters,
	// digits and underscores; at most 224 characters.
	// +kubebuilder:validation:MaxLength=224
	// +kubebuilder:validation:Pattern=`^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$`
	// +required
	PackageName string `json:"packageName"`

	// signatureHash is the app's 11-character signing key hash (Android's
	// SMS Retriever hash).
	// +kubebuilder:validation:MinLength=11
	// +kubebuilder:validation:MaxLength=11
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9+/=]{11}$`
	// +required
	SignatureHash string `json:"signatureHash"`
}

// MessageTemplateStatus is the observed state of a MessageTemplate.
type MessageTemplateStatus struct {
	ReconcileStatus `json:",inline"`

	// name of the template at Meta: spec.name, or the name defaulted from
	// metadata.name.
	// +optional
	Name string `json:"name,omitempty"`
	// templateID is Meta's id of the template.
	// +optional
	TemplateID string `json:"templateID,omitempty"`
	// approvalStatus as Meta reports it: PENDING, APPROVED, REJECTED,
	// PAUSED, DISABLED, ...
	// +optional
	ApprovalStatus string `json:"approvalStatus,omitempty"`
	// rejectedReason as Meta reports it when the template is rejected.
	// +optional
	RejectedReason string `json:"rejectedReason,omitempty"`
	// qualityScore: GREEN, YELLOW, RED or UNKNOWN.
	// +optional
	QualityScore string `json:"qualityScore,omitempty"`
	// category Meta assigned, which may differ from spec.category.
	// +optional
	Category string `json:"category,omitempty"`
	// previousCategory is the category before Meta last re-categorised the
	// template (template_category_update); an Event said so.
	// +optional
	PreviousCategory string `json:"previousCategory,omitempty"`
	// parameterFormat of the template at Meta.
	// +optional
	ParameterFormat string `json:"parameterFormat,omitempty"`
	// contentHash identifies the spec content Meta last accepted; a spec
	// change that alters it is sent as an edit.
	// +optional
	ContentHash string `json:"contentHash,omitempty"`
	// lastEditTime is when the operator last edited the template at Meta
	// (Meta allows one edit of an approved template per 24 hours).
	// +optional
	LastEditTime *metav1.Time `json:"lastEditTime,omitempty"`
	// submitAttempts counts failed submissions of the current content; the
	// retry delay grows with it, and it survives operator restarts.
	// +optional
	SubmitAttempts int32 `json:"submitAttempts,omitempty"`
	// lastSubmitFailureTime is when the last submission failed.
	// +optional
	LastSubmitFailureTime *metav1.Time `json:"lastSubmitFailureTime,omitempty"`
	// createPendingSince is set just before this object asks Meta to create
	// the template and cleared once Meta's id is recorded: a template of
	// this name and language found at Meta meanwhile was created by this
	// object (its answer was lost) and is taken over without the adopt
	// annotation.
	// +optional
	CreatePendingSince *metav1.Time `json:"createPendingSince,omitempty"`
	// headerExample is the media header's sample as uploaded to Meta's
	// Resumable Upload API; an unchanged sample is not uploaded again.
	// +optional
	HeaderExample *HeaderExampleStatus `json:"headerExample,omitempty"`
}

// HeaderExampleStatus records a media header sample uploaded to Meta.
type HeaderExampleStatus struct {
	// url the sample was fetched from (spec.header.exampleURL).
	// +optional
	URL string `json:"url,omitempty"`
	// sha256 of the sample's bytes, hex.
	// +optional
	SHA256 string `json:"sha256,omitempty"`
	// handle is the h Meta's upload answered, which example.header_handle
	// names.
	// +optional
	Handle string `json:"handle,omitempty"`
	// uploadTime is when the sample was uploaded.
	// +optional
	UploadTime *metav1.Time `json:"uploadTime,omitempty"`
}

// MessageTemplate is one WhatsApp message template in one language,
// submitted to Meta for review and kept in sync.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=mt,categories=whatsapp
// +kubebuilder:validation:XValidation:rule=`has(self.spec.name) || self.metadata.name.matches('^[a-z0-9-]{1,253}$')`,message="spec.name is required when metadata.name has characters other than a-z, 0-9 and '-' (the default template name is metadata.name with '-' replaced by '_')"
// +kubebuilder:printcolumn:name="Template",type=string,JSONPath=`.status.name`
// +kubebuilder:printcolumn:name="Language",type=string,JSONPath=`.spec.language`
// +kubebuilder:printcolumn:name="Category",type=string,JSONPath=`.status.category`
// +kubebuilder:printcolumn:name="Meta Status",type=string,JSONPath=`.status.approvalStatus`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="Message",type=string,priority=1,JSONPath=`.status.conditions[?(@.type=="Ready")].message`
type MessageTemplate struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec MessageTemplateSpec `json:"spec"`
	// +optional
	Status MessageTemplateStatus `json:"status,omitempty"`
}

// TemplateName is the template's name at Meta: spec.name, or metadata.name
// with '-' replaced by '_'.
func (t *MessageTemplate) TemplateName() string {
	if t.Spec.Name != "" {
		return t.Spec.Name
	}
	return strings.ReplaceAll(t.Name, "-", "_")
}

// MessageTemplateList is a list of MessageTemplates.
//
// +kubebuilder:object:root=true
type MessageTemplateList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []MessageTemplate `json:"items"`
}

func init() {
	SchemeBuilder.Register(&MessageTemplate{}, &MessageTemplateList{})
}
