package graph

import "encoding/json"

// Template statuses as Meta reports them (an open set: compare, never
// assume the list is complete).
const (
	TemplateApproved        = "APPROVED"
	TemplatePending         = "PENDING"
	TemplateRejected        = "REJECTED"
	TemplatePaused          = "PAUSED"
	TemplateDisabled        = "DISABLED"
	TemplateInAppeal        = "IN_APPEAL"
	TemplatePendingDeletion = "PENDING_DELETION"
	TemplateDeleted         = "DELETED"
	TemplateLimitExceeded   = "LIMIT_EXCEEDED"
	TemplateArchived        = "ARCHIVED"
)

// Template categories and parameter formats.
const (
	CategoryUtility            = "UTILITY"
	CategoryMarketing          = "MARKETING"
	CategoryAuthentication     = "AUTHENTICATION"
	ParameterFormatPositional  = "POSITIONAL"
	ParameterFormatNamed       = "NAMED"
	templateFields             = "id,name,language,status,category,previous_category,components,parameter_format,quality_score,rejected_reason"
	templateRejectedReasonNone = "NONE"
)

// Template is a message template as Meta holds it.
type Template struct {
	ID       string
	Name     string
	Language string
	Status   string
	Category string
	// PreviousCategory is the category before Meta re-categorised the
	// template, when it did.
	PreviousCategory string
	// RejectedReason is empty when Meta says "NONE".
	RejectedReason  string
	QualityScore    string
	ParameterFormat string
	Components      []Component
}

// UnmarshalJSON reads Meta's template object, flattening quality_score.
func (t *Template) UnmarshalJSON(b []byte) error {
	var w struct {
		ID              string      `json:"id"`
		Name            string      `json:"name"`
		Language        string      `json:"language"`
		Status          string      `json:"status"`
		Category        string      `json:"category"`
		PrevCategory    string      `json:"previous_category"`
		RejectedReason  string      `json:"rejected_reason"`
		ParameterFormat string      `json:"parameter_format"`
		Components      []Component `json:"components"`
		QualityScore    struct {
			Score string `json:"score"`
		} `json:"quality_score"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*t = Template{
		ID: w.ID, Name: w.Name, Language: w.Language, Status: w.Status, Category: w.Category, PreviousCategory: w.PrevCategory,
		RejectedReason: w.RejectedReason, QualityScore: w.QualityScore.Score,
		ParameterFormat: w.ParameterFormat, Components: w.Components,
	}
	if t.RejectedReason == templateRejectedReasonNone {
		t.RejectedReason = ""
	}
	return nil
}

// Component is one template component in Meta's JSON shape: HEADER, BODY,
// FOOTER or BUTTONS. An AUTHENTICATION template's BODY and FOOTER carry no
// text of the sender's: Meta writes it from add_security_recommendation
// and code_expiration_minutes.
type Component struct {
	Type    string            `json:"type"`
	Format  string            `json:"format,omitempty"`
	Text    string            `json:"text,omitempty"`
	Example *ComponentExample `json:"example,omitempty"`
	Buttons []Button          `json:"buttons,omitempty"`

	AddSecurityRecommendation *bool `json:"add_security_recommendation,omitempty"`
	CodeExpirationMinutes     *int  `json:"code_expiration_minutes,omitempty"`
}

// ComponentExample holds the sample values Meta's review requires. Note
// body_text is an array of arrays and header_text a flat array.
type ComponentExample struct {
	HeaderText            []string     `json:"header_text,omitempty"`
	BodyText              [][]string   `json:"body_text,omitempty"`
	HeaderTextNamedParams []NamedParam `json:"header_text_named_params,omitempty"`
	BodyTextNamedParams   []NamedParam `json:"body_text_named_params,omitempty"`
	HeaderHandle          []string     `json:"header_handle,omitempty"`
}

// NamedParam is one example of a NAMED parameter.
type NamedParam struct {
	ParamName string `json:"param_name"`
	Example   string `json:"example"`
}

// Button is one button of a BUTTONS component. An OTP button (type OTP,
// AUTHENTICATION templates) names its otp_type and, for ONE_TAP and
// ZERO_TAP, the Android apps that receive the code.
type Button struct {
	Type        string   `json:"type"`
	Text        string   `json:"text,omitempty"`
	URL         string   `json:"url,omitempty"`
	PhoneNumber string   `json:"phone_number,omitempty"`
	Example     []string `json:"example,omitempty"`

	OTPType              string         `json:"otp_type,omitempty"`
	AutofillText         string         `json:"autofill_text,omitempty"`
	ZeroTapTermsAccepted *bool          `json:"zero_tap_terms_accepted,omitempty"`
	SupportedApps        []SupportedApp `json:"supported_apps,omitempty"`
}

// SupportedApp is an Android app of an OTP button.
type SupportedApp struct {
	PackageName   string `json:"package_name"`
	SignatureHash string `json:"signature_hash"`
}

// Button types and OTP types with a shape of their own.
const (
	ButtonCopyCode = "COPY_CODE"
	ButtonOTP      = "OTP"
)

// MarshalJSON sends a COPY_CODE button's example as one string, the shape
// Meta wants for it; other buttons send an array.
func (b Button) MarshalJSON() ([]byte, error) {
	type plain Button
	if b.Type != ButtonCopyCode || len(b.Example) != 1 {
		return json.Marshal(plain(b))
	}
	w := struct {
		plain
		Example string `json:"example"`
	}{plain: plain(b), Example: b.Example[0]}
	w.plain.Example = nil
	return json.Marshal(w)
}

// UnmarshalJSON accepts example as an array (Meta's usual shape) or a
// single string.
func (b *Button) UnmarshalJSON(data []byte) error {
	type plain Button
	var w struct {
		plain
		Example json.RawMessage `json:"example"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*b = Button(w.plain)
	b.Example = nil
	if len(w.Example) == 0 || string(w.Example) == "null" {
		return nil
	}
	var list []string
	if err := json.Unmarshal(w.Example, &list); err == nil {
		b.Example = list
		return nil
	}
	var one string
	if err := json.Unmarshal(w.Example, &one); err != nil {
		return err
	}
	b.Example = []string{one}
	return nil
}

// TemplateSpec is what CreateTemplate submits.
type TemplateSpec struct {
	Name     string `json:"name"`
	Language string `json:"language"`
	Category string `json:"category"`
	// ParameterFormat is POSITIONAL (Meta's default when empty) or NAMED.
	ParameterFormat string      `json:"parameter_format,omitempty"`
	Components      []Component `json:"components"`
}

// CreatedTemplate is Meta's answer to a create. Status may already be
// APPROVED, and Category may differ from the one asked for.
type CreatedTemplate struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Category string `json:"category"`
}

// TemplateEdit is what EditTemplate sends; empty fields are left alone.
// Meta replaces all components with Components when it is set.
type TemplateEdit struct {
	Category   string      `json:"category,omitempty"`
	Components []Component `json:"components,omitempty"`
}

// TemplateFilter narrows ListTemplates. Meta's name filter is a substring
// match; use FindTemplate for an exact name and language.
type TemplateFilter struct {
	Name   string
	Status string
}
