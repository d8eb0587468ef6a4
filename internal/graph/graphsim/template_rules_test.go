package graphsim_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// The simulator refuses what Meta refuses in AUTHENTICATION templates and
// copy-code buttons, with code 100 and a title saying what is wrong, and
// returns an authentication template with the text Meta writes.
func TestAuthenticationAndCopyCodeRules(t *testing.T) {
	otp := func(button map[string]any) []any {
		return []any{
			map[string]any{"type": "BODY", "add_security_recommendation": true},
			map[string]any{"type": "FOOTER", "code_expiration_minutes": 10},
			map[string]any{"type": "BUTTONS", "buttons": []any{button}},
		}
	}
	app := []any{map[string]any{"package_name": "com.example.shop", "signature_hash": "K8a/AINcGX7"}}
	body := func(category string, comps []any) map[string]any {
		return map[string]any{"name": "code_" + strings.ToLower(category), "language": "en_US", "category": category, "components": comps}
	}
	marketing := func(example any) []any {
		return []any{
			map[string]any{"type": "BODY", "text": "Save on your next order with our spring offer today"},
			map[string]any{"type": "BUTTONS", "buttons": []any{map[string]any{"type": "COPY_CODE", "example": example}}},
		}
	}
	cases := map[string]struct {
		reason string
		body   map[string]any
		ok     bool
	}{
		"copy code":                 {reason: "a copy-code OTP button needs nothing else", body: body("AUTHENTICATION", otp(map[string]any{"type": "OTP", "otp_type": "COPY_CODE"})), ok: true},
		"one tap":                   {reason: "one tap names the Android apps", body: body("AUTHENTICATION", otp(map[string]any{"type": "OTP", "otp_type": "ONE_TAP", "supported_apps": app})), ok: true},
		"zero tap":                  {reason: "zero tap names the apps and accepts the terms", body: body("AUTHENTICATION", otp(map[string]any{"type": "OTP", "otp_type": "ZERO_TAP", "supported_apps": app, "zero_tap_terms_accepted": true})), ok: true},
		"one tap without apps":      {reason: "one tap without supported_apps is refused", body: body("AUTHENTICATION", otp(map[string]any{"type": "OTP", "otp_type": "ONE_TAP"}))},
		"zero tap without terms":    {reason: "zero tap needs its terms accepted", body: body("AUTHENTICATION", otp(map[string]any{"type": "OTP", "otp_type": "ZERO_TAP", "supported_apps": app}))},
		"bad signature hash":        {reason: "a signature hash is 11 characters", body: body("AUTHENTICATION", otp(map[string]any{"type": "OTP", "otp_type": "ONE_TAP", "supported_apps": []any{map[string]any{"package_name": "com.example.shop", "signature_hash": "short"}}}))},
		"bad package name":          {reason: "a package name has two segments or more", body: body("AUTHENTICATION", otp(map[string]any{"type": "OTP", "otp_type": "ONE_TAP", "supported_apps": []any{map[string]any{"package_name": "shop", "signature_hash": "K8a/AINcGX7"}}}))},
		"free text body":            {reason: "an authentication body has no text of the sender's", body: body("AUTHENTICATION", []any{map[string]any{"type": "BODY", "text": "Your code is {{1}} friend"}, map[string]any{"type": "BUTTONS", "buttons": []any{map[string]any{"type": "OTP", "otp_type": "COPY_CODE"}}}})},
		"no OTP button":             {reason: "an authentication template needs its OTP button", body: body("AUTHENTICATION", []any{map[string]any{"type": "BODY", "add_security_recommendation": true}})},
		"expiry too long":           {reason: "code_expiration_minutes is at most 90", body: body("AUTHENTICATION", []any{map[string]any{"type": "BODY"}, map[string]any{"type": "FOOTER", "code_expiration_minutes": 91}, map[string]any{"type": "BUTTONS", "buttons": []any{map[string]any{"type": "OTP", "otp_type": "COPY_CODE"}}}})},
		"marketing copy code":       {reason: "a copy-code offer button with a sample code", body: body("MARKETING", marketing("SPRING25")), ok: true},
		"copy code sample too long": {reason: "the sample code is at most 15 characters", body: body("MARKETING", marketing("SPRING25-EXTRA-LONG"))},
		"copy code in utility":      {reason: "copy-code buttons are for MARKETING templates", body: body("UTILITY", marketing("SPRING25"))},
		"OTP in marketing":          {reason: "OTP buttons are for AUTHENTICATION templates", body: body("MARKETING", []any{map[string]any{"type": "BODY", "text": "Save on your next order today with us"}, map[string]any{"type": "BUTTONS", "buttons": []any{map[string]any{"type": "OTP", "otp_type": "COPY_CODE"}}}})},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newSimEnv(t, graphsim.Options{})
			a := e.call(t, http.MethodPost, templatesPath, token, tc.body)
			if tc.ok {
				if a.status != http.StatusOK {
					t.Fatalf("refused (%s): %v", tc.reason, a.body)
				}
				return
			}
			code, _ := a.errCode()
			if a.status != http.StatusBadRequest || code != 100 || a.errField("error_user_title") == "" {
				t.Errorf("answer %d %v, want 400 with code 100 and a title (%s)", a.status, a.body, tc.reason)
			}
		})
	}
}

func TestAuthenticationTemplateReadsBackWithMetasText(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{})
	a := e.call(t, http.MethodPost, templatesPath, token, map[string]any{
		"name": "login_code", "language": "en_US", "category": "AUTHENTICATION",
		"components": []any{
			map[string]any{"type": "BODY", "add_security_recommendation": true},
			map[string]any{"type": "FOOTER", "code_expiration_minutes": 5},
			map[string]any{"type": "BUTTONS", "buttons": []any{map[string]any{"type": "OTP", "otp_type": "COPY_CODE"}}},
		},
	})
	id, _ := a.body["id"].(string)
	tpl, ok := e.sim.Template(id)
	if !ok {
		t.Fatalf("not created: %v", a.body)
	}
	raw := string(tpl.Components)
	for _, want := range []string{"is your verification code. For your security, do not share this code.", "This code expires in 5 minutes.", `"text":"Copy code"`} {
		if !strings.Contains(raw, want) {
			t.Errorf("components lack Meta's text %q: %s", want, raw)
		}
	}
}
