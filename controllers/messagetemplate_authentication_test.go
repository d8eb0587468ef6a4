package controllers_test

import (
	"encoding/json"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

func TestAuthenticationTemplatesOfEachButtonKindAndCopyCodeOffers(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.readyProvider("acme")
	ten := int32(10)
	apps := []whatsappv1alpha1.SupportedApp{{PackageName: "com.acme.shop", SignatureHash: "K8a/AINcGX7"}}
	auth := func(otp whatsappv1alpha1.OTPButton) func(*whatsappv1alpha1.MessageTemplate) {
		return func(mt *whatsappv1alpha1.MessageTemplate) {
			mt.Spec.Category = whatsappv1alpha1.CategoryAuthentication
			mt.Spec.Body = whatsappv1alpha1.TemplateBody{}
			mt.Spec.Authentication = &whatsappv1alpha1.TemplateAuthentication{AddSecurityRecommendation: true, CodeExpirationMinutes: &ten, OTP: otp}
		}
	}
	cases := map[string]struct {
		mutate func(*whatsappv1alpha1.MessageTemplate)
		wantIn []string // in the components Meta holds
	}{
		"login-copy-code": {
			mutate: auth(whatsappv1alpha1.OTPButton{Type: "COPY_CODE", Text: "Copy code"}),
			wantIn: []string{`"otp_type":"COPY_CODE"`, `"add_security_recommendation":true`, `"code_expiration_minutes":10`},
		},
		"login-one-tap": {
			mutate: auth(whatsappv1alpha1.OTPButton{Type: "ONE_TAP", AutofillText: "Autofill", SupportedApps: apps}),
			wantIn: []string{`"otp_type":"ONE_TAP"`, `"package_name":"com.acme.shop"`, `"signature_hash":"K8a/AINcGX7"`},
		},
		"login-zero-tap": {
			mutate: auth(whatsappv1alpha1.OTPButton{Type: "ZERO_TAP", ZeroTapTermsAccepted: true, SupportedApps: apps}),
			wantIn: []string{`"otp_type":"ZERO_TAP"`, `"zero_tap_terms_accepted":true`, `"package_name":"com.acme.shop"`},
		},
		"spring-offer": {
			mutate: func(mt *whatsappv1alpha1.MessageTemplate) {
				mt.Spec.Category = whatsappv1alpha1.CategoryMarketing
				mt.Spec.Body = whatsappv1alpha1.TemplateBody{Text: "Hi {{1}}, our spring sale starts today: use the code below at checkout.", Examples: []string{"John"}}
				mt.Spec.Buttons = []whatsappv1alpha1.TemplateButton{{Type: "COPY_CODE", Example: "SPRING25"}}
			},
			wantIn: []string{`"type":"COPY_CODE"`, `"example":"SPRING25"`},
		},
	}
	// One made earlier in WhatsApp Manager, as Meta returns it: with the
	// text Meta writes. Asked to adopt it, the object takes it as it is.
	seeded, err := f.sim.AddTemplate(wabaID, graphsim.Template{Name: "login_seeded", Language: "en_US", Category: "AUTHENTICATION", Status: "APPROVED",
		Components: []byte(`[{"type":"BODY","text":"*{{1}}* is your verification code. For your security, do not share this code.","add_security_recommendation":true},` +
			`{"type":"FOOTER","text":"This code expires in 10 minutes.","code_expiration_minutes":10},` +
			`{"type":"BUTTONS","buttons":[{"type":"OTP","otp_type":"copy_code","text":"Copy code"}]}]`)})
	if err != nil {
		t.Fatal(err)
	}
	adopted := f.template("login-seeded", auth(whatsappv1alpha1.OTPButton{Type: "COPY_CODE"}), adopt)
	objs := map[string]*whatsappv1alpha1.MessageTemplate{"login-seeded": adopted}
	for name, tc := range cases {
		objs[name] = f.template(name, tc.mutate)
	}
	f.waitCondition(adopted, "Ready", metav1.ConditionTrue, "")
	if adopted.Status.TemplateID != seeded.ID {
		t.Errorf("adopted id %s, Meta's is %s", adopted.Status.TemplateID, seeded.ID)
	}
	for name, tc := range cases {
		mt := objs[name]
		f.waitCondition(mt, "Submitted", metav1.ConditionTrue, "")
		live, ok := f.sim.Template(mt.Status.TemplateID)
		if !ok {
			t.Fatalf("%s: not at Meta", name)
		}
		raw := string(live.Components)
		for _, want := range tc.wantIn {
			if !strings.Contains(raw, want) {
				t.Errorf("%s: Meta holds %s, want it to contain %s", name, raw, want)
			}
		}
		if strings.HasPrefix(name, "login") {
			var comps []map[string]any
			_ = json.Unmarshal(live.Components, &comps)
			if len(comps) != 3 || strings.Contains(raw, "HEADER") {
				t.Errorf("%s: components %s, want BODY, FOOTER and BUTTONS only", name, raw)
			}
		}
	}
	// Meta fills in the text of authentication templates; that is no
	// reason to edit them when asked to look again.
	for _, mt := range objs {
		v := f.requestReconcile(mt)
		f.eventually("request handled", func() bool { f.get(mt); return mt.Status.LastHandledReconcileAt == v })
	}
	if n := f.sim.Calls(graphsim.EndpointEditTemplate); n != 0 {
		t.Errorf("%d edits of templates Meta holds as specified (Meta's own text and letter case are no difference)", n)
	}
	if n := f.sim.Calls(graphsim.EndpointCreateTemplate); n != len(cases) {
		t.Errorf("creates = %d, want %d", n, len(cases))
	}
}
