package graphsim

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Meta's rules for a template's buttons and for AUTHENTICATION templates,
// checked at create and edit with code 100 as Meta does.
const (
	categoryAuthentication = "AUTHENTICATION"
	categoryMarketing      = "MARKETING"
	maxCopyCodeExample     = 15
	maxSupportedApps       = 5
	maxCodeExpiration      = 90
)

var (
	packageName   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$`)
	signatureHash = regexp.MustCompile(`^[A-Za-z0-9+/=]{11}$`)
	otpTypes      = map[string]bool{"COPY_CODE": true, "ONE_TAP": true, "ZERO_TAP": true}
)

// ruleComponent is the part of a component the rules read.
type ruleComponent struct {
	Type                      string          `json:"type"`
	Format                    string          `json:"format"`
	Text                      string          `json:"text"`
	AddSecurityRecommendation *bool           `json:"add_security_recommendation"`
	CodeExpirationMinutes     *int            `json:"code_expiration_minutes"`
	Buttons                   []ruleButton    `json:"buttons"`
	Example                   json.RawMessage `json:"example"`
}

type ruleButton struct {
	Type                 string          `json:"type"`
	Text                 string          `json:"text"`
	OTPType              string          `json:"otp_type"`
	Example              json.RawMessage `json:"example"`
	ZeroTapTermsAccepted *bool           `json:"zero_tap_terms_accepted"`
	SupportedApps        []struct {
		PackageName   string `json:"package_name"`
		SignatureHash string `json:"signature_hash"`
	} `json:"supported_apps"`
}

func errTemplateRule(title, msg string) *metaError {
	return errInvalidParam("Invalid parameter", title, msg)
}

// checkCategoryRules applies the rules that depend on the category.
func checkCategoryRules(category string, raw json.RawMessage) *metaError {
	var comps []ruleComponent
	if err := json.Unmarshal(raw, &comps); err != nil {
		return errParamRequired("components")
	}
	if strings.EqualFold(category, categoryAuthentication) {
		return checkAuthentication(comps)
	}
	for _, c := range comps {
		if c.AddSecurityRecommendation != nil || c.CodeExpirationMinutes != nil {
			return errTemplateRule("Invalid component", "add_security_recommendation and code_expiration_minutes are for AUTHENTICATION templates.")
		}
		copyCodes := 0
		for _, b := range c.Buttons {
			switch strings.ToUpper(b.Type) {
			case "OTP":
				return errTemplateRule("Invalid button", "OTP buttons are for AUTHENTICATION templates.")
			case "COPY_CODE":
				copyCodes++
				if !strings.EqualFold(category, categoryMarketing) {
					return errTemplateRule("Invalid button", "Copy code buttons are for MARKETING templates.")
				}
				var example string
				if err := json.Unmarshal(b.Example, &example); err != nil || example == "" || len([]rune(example)) > maxCopyCodeExample {
					return errTemplateRule("Invalid button", fmt.Sprintf("A copy code button needs an example code of 1 to %d characters.", maxCopyCodeExample))
				}
			}
		}
		if copyCodes > 1 {
			return errTemplateRule("Invalid button", "A template can have at most one copy code button.")
		}
	}
	return nil
}

// checkAuthentication applies Meta's rules for AUTHENTICATION templates:
// Meta writes the text, so no header and no text of the sender's; one OTP
// button; ONE_TAP and ZERO_TAP name the Android apps; ZERO_TAP needs its
// terms accepted.
func checkAuthentication(comps []ruleComponent) *metaError {
	otps := 0
	for _, c := range comps {
		switch strings.ToUpper(c.Type) {
		case "HEADER":
			return errTemplateRule("Invalid component", "Authentication templates can't have a header.")
		case "BODY", "FOOTER":
			if c.Text != "" {
				return errTemplateRule("Invalid component", "Authentication templates use preset text: the body and footer can't have text of their own.")
			}
			if m := c.CodeExpirationMinutes; m != nil && (*m < 1 || *m > maxCodeExpiration) {
				return errTemplateRule("Invalid component", fmt.Sprintf("code_expiration_minutes must be between 1 and %d.", maxCodeExpiration))
			}
		case "BUTTONS":
			for _, b := range c.Buttons {
				if !strings.EqualFold(b.Type, "OTP") {
					return errTemplateRule("Invalid button", "Authentication templates can only have a one-time password button.")
				}
				otps++
				if merr := checkOTPButton(b); merr != nil {
					return merr
				}
			}
		}
	}
	if otps != 1 {
		return errTemplateRule("Invalid button", "Authentication templates need exactly one one-time password button.")
	}
	return nil
}

func checkOTPButton(b ruleButton) *metaError {
	kind := strings.ToUpper(b.OTPType)
	if !otpTypes[kind] {
		return errTemplateRule("Invalid button", "otp_type must be COPY_CODE, ONE_TAP or ZERO_TAP.")
	}
	if kind == "COPY_CODE" {
		if len(b.SupportedApps) > 0 {
			return errTemplateRule("Invalid button", "A copy code button has no supported_apps.")
		}
		return nil
	}
	if len(b.SupportedApps) == 0 || len(b.SupportedApps) > maxSupportedApps {
		return errTemplateRule("Invalid button", fmt.Sprintf("One-tap and zero-tap buttons need 1 to %d supported_apps.", maxSupportedApps))
	}
	for _, app := range b.SupportedApps {
		if len(app.PackageName) > 224 || !packageName.MatchString(app.PackageName) {
			return errTemplateRule("Invalid button", "package_name must have two or more dot-separated segments, each starting with a letter, at most 224 characters.")
		}
		if !signatureHash.MatchString(app.SignatureHash) {
			return errTemplateRule("Invalid button", "signature_hash must be exactly 11 characters of letters, digits, '+', '/' and '='.")
		}
	}
	if kind == "ZERO_TAP" && (b.ZeroTapTermsAccepted == nil || !*b.ZeroTapTermsAccepted) {
		return errTemplateRule("Invalid button", "Zero-tap buttons need zero_tap_terms_accepted set to true.")
	}
	return nil
}

// presetAuthenticationText fills in the text Meta writes for an
// AUTHENTICATION template, as Meta's API then returns it: the body, the
// expiry footer and the buttons' default labels. Other templates are kept
// as submitted.
func presetAuthenticationText(category string, raw json.RawMessage) json.RawMessage {
	if !strings.EqualFold(category, categoryAuthentication) {
		return raw
	}
	var comps []map[string]any
	if err := json.Unmarshal(raw, &comps); err != nil {
		return raw
	}
	for _, c := range comps {
		switch strings.ToUpper(fmt.Sprint(c["type"])) {
		case "BODY":
			text := "*{{1}}* is your verification code."
			if v, _ := c["add_security_recommendation"].(bool); v {
				text += " For your security, do not share this code."
			}
			c["text"] = text
		case "FOOTER":
			if m, ok := c["code_expiration_minutes"].(float64); ok {
				c["text"] = fmt.Sprintf("This code expires in %d minutes.", int(m))
			}
		case "BUTTONS":
			buttons, _ := c["buttons"].([]any)
			for _, b := range buttons {
				if bm, ok := b.(map[string]any); ok {
					if _, ok := bm["text"]; !ok {
						bm["text"] = "Copy code"
					}
					if t := strings.ToUpper(fmt.Sprint(bm["otp_type"])); t != "COPY_CODE" {
						if _, ok := bm["autofill_text"]; !ok {
							bm["autofill_text"] = "Autofill"
						}
					}
				}
			}
		}
	}
	out, err := json.Marshal(comps)
	if err != nil {
		return raw
	}
	return out
}
