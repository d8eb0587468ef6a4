package controllers_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// A number added in WhatsApp Manager a moment ago: its display name is in
// Meta's review and it is not registered on the Cloud API.
const (
	newPhoneID   = "120299999999999"
	newPhoneE164 = "+12025550177"
	pinValue     = "482913"
)

// addNewNumber adds the new number to the WABA with the given name status.
// Call it before the provider becomes Ready: the provider's phone listing
// is shared with the channels.
func addNewNumber(t *testing.T, f *fixture, nameStatus string) {
	t.Helper()
	if _, err := f.sim.AddPhoneNumber(wabaID, graphsim.PhoneNumber{
		ID: newPhoneID, DisplayPhoneNumber: "+1 202-555-0177", VerifiedName: "Acme Sales",
		NameStatus: nameStatus, PlatformType: "NOT_APPLICABLE", Status: "PENDING",
	}); err != nil {
		t.Fatal(err)
	}
}

// pinSecret creates the Secret holding the two-step PIN under the key pin.
func (f *fixture) pinSecret(name, pin string) *corev1.Secret {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: f.ns}, StringData: map[string]string{"pin": pin}}
	f.create(s)
	return s
}

func withPIN(secret string) func(*whatsappv1alpha1.WhatsAppChannel) {
	return func(c *whatsappv1alpha1.WhatsAppChannel) {
		c.Spec.Registration = &whatsappv1alpha1.NumberRegistration{PINSecretRef: whatsappv1alpha1.SecretKeyReference{Name: secret, Key: "pin"}}
	}
}

// assertPINNowhere fails when the PIN appears in the channel or its Events.
func assertPINNowhere(t *testing.T, f *fixture, ch *whatsappv1alpha1.WhatsAppChannel, pin string) {
	t.Helper()
	f.get(ch)
	raw, _ := json.Marshal(ch)
	places := []string{string(raw), f.logs.String()}
	for _, e := range f.events(ch.Name) {
		places = append(places, e.Note)
	}
	for _, p := range places {
		if strings.Contains(p, pin) {
			t.Errorf("the PIN appears in %.200s…", p)
		}
	}
}

func TestNumberIsRegisteredOnceMetaApprovesItsName(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	addNewNumber(t, f, "PENDING_REVIEW")
	f.readyProvider("acme")
	f.pinSecret("sales-pin", pinValue)
	ch := f.channel("sales", newPhoneE164, withPIN("sales-pin"))

	f.waitCondition(ch, "Reconciling", metav1.ConditionTrue, "NameInReview")
	if c := condition(ch, "Registered"); c == nil || c.Status != metav1.ConditionFalse || !strings.Contains(c.Message, "Acme Sales") || !strings.Contains(c.Message, "approved") {
		t.Errorf("Registered = %+v, want False saying the name %q is in review and what it waits for", c, "Acme Sales")
	}
	if ch.Status.NameStatus != "PENDING_REVIEW" || ch.Status.PlatformType != "NOT_APPLICABLE" {
		t.Errorf("status name %q platform %q, want Meta's PENDING_REVIEW and NOT_APPLICABLE", ch.Status.NameStatus, ch.Status.PlatformType)
	}
	if got := kstatus(ch.Generation, ch.Status.ObservedGeneration, ch.Status.Conditions); got != "InProgress" {
		t.Errorf("kstatus while the name is in review = %s, want InProgress", got)
	}
	if n := f.sim.Calls(graphsim.EndpointRegisterPhoneNumber); n != 0 {
		t.Fatalf("register called %d times before Meta approved the name", n)
	}

	// Meta approves the name; its phone_number_name_update webhook makes the
	// webhook server ask for a fresh look.
	if err := f.sim.UpdatePhoneNumber(newPhoneID, func(p *graphsim.PhoneNumber) { p.NameStatus = "APPROVED" }); err != nil {
		t.Fatal(err)
	}
	f.requestReconcile(ch)
	f.waitCondition(ch, "Ready", metav1.ConditionTrue, "Succeeded")
	if c := condition(ch, "Registered"); c == nil || c.Status != metav1.ConditionTrue {
		t.Errorf("Registered = %+v, want True", c)
	}
	if pin, _ := f.sim.TwoStepPIN(newPhoneID); pin != pinValue {
		t.Errorf("the number's PIN at Meta is not the Secret's")
	}
	f.waitEvent("sales", "Registered")

	// Later reconciles spend none of Meta's 10 attempts per 72 hours.
	v := f.requestReconcile(ch)
	f.eventually("request handled", func() bool { f.get(ch); return ch.Status.LastHandledReconcileAt == v })
	if n := f.sim.Calls(graphsim.EndpointRegisterPhoneNumber); n != 1 {
		t.Errorf("register called %d times, want exactly 1", n)
	}
	if ch.Status.PlatformType != "CLOUD_API" || ch.Status.Registration != nil {
		t.Errorf("status platform %q registration %+v, want CLOUD_API and no pending registration", ch.Status.PlatformType, ch.Status.Registration)
	}
	assertPINNowhere(t, f, ch, pinValue)
}

func TestNumberThatCannotBeRegisteredYetSaysWhy(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		reason     string
		nameStatus string
		pin        bool
		wantReason string
		wantIn     []string
	}{
		"name declined": {
			reason:     "a declined name needs a human, with Meta's words",
			nameStatus: "DECLINED", pin: true,
			wantReason: "NameDeclined", wantIn: []string{"DECLINED", "Acme Sales", "WhatsApp Manager"},
		},
		"no PIN": {
			reason:     "without spec.registration the channel says the number must be registered, and how",
			nameStatus: "APPROVED",
			wantReason: "NotRegistered", wantIn: []string{"not registered", "spec.registration.pinSecretRef", "/" + newPhoneID + "/register"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, fixtureOptions{})
			addNewNumber(t, f, tc.nameStatus)
			f.readyProvider("acme")
			var mutate []func(*whatsappv1alpha1.WhatsAppChannel)
			if tc.pin {
				f.pinSecret("sales-pin", pinValue)
				mutate = append(mutate, withPIN("sales-pin"))
			}
			ch := f.channel("sales", newPhoneE164, mutate...)
			f.waitCondition(ch, "Stalled", metav1.ConditionTrue, tc.wantReason)
			msg := condition(ch, "Registered").Message
			for _, want := range tc.wantIn {
				if !strings.Contains(msg, want) {
					t.Errorf("Registered message lacks %q (%s): %s", want, tc.reason, msg)
				}
			}
			if n := f.sim.Calls(graphsim.EndpointRegisterPhoneNumber); n != 0 {
				t.Errorf("register called %d times (%s)", n, tc.reason)
			}
		})
	}
}

func TestTooManyRegisterAttemptsStallWithMetasWait(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	addNewNumber(t, f, "APPROVED")
	// Someone tried by hand ten times today: Meta's next answer is 133016.
	if err := f.sim.SpendRegisterAttempts(newPhoneID, 10); err != nil {
		t.Fatal(err)
	}
	f.readyProvider("acme")
	f.pinSecret("sales-pin", pinValue)
	ch := f.channel("sales", newPhoneE164, withPIN("sales-pin"))
	f.waitCondition(ch, "Stalled", metav1.ConditionTrue, "TooManyAttempts")
	msg := condition(ch, "Registered").Message
	for _, want := range []string{"133016", "72h", "10 registration attempts"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	if r := ch.Status.Registration; r == nil || r.NextAttemptTime == nil || r.NextAttemptTime.Sub(r.LastAttemptTime.Time).Hours() < 71 {
		t.Errorf("status.registration = %+v, want the next attempt after Meta's 72-hour wait", r)
	}
	v := f.requestReconcile(ch)
	f.eventually("request handled", func() bool { f.get(ch); return ch.Status.LastHandledReconcileAt == v })
	if n := f.sim.Calls(graphsim.EndpointRegisterPhoneNumber); n != 1 {
		t.Errorf("register called %d times, want 1: another attempt during Meta's wait only prolongs it", n)
	}
}

func TestWrongPINIsTriedOnceAndAgainWhenTheSecretChanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	addNewNumber(t, f, "APPROVED")
	// The number got its PIN in WhatsApp Manager; the Secret holds another.
	if err := f.sim.SetTwoStepPIN(newPhoneID, "135790"); err != nil {
		t.Fatal(err)
	}
	f.readyProvider("acme")
	secret := f.pinSecret("sales-pin", pinValue)
	ch := f.channel("sales", newPhoneE164, withPIN("sales-pin"))
	f.waitCondition(ch, "Stalled", metav1.ConditionTrue, "RegistrationFailed")
	if msg := condition(ch, "Registered").Message; !strings.Contains(msg, "133005") || !strings.Contains(msg, "PIN") {
		t.Errorf("message does not explain the PIN mismatch with Meta's code: %s", msg)
	}
	v := f.requestReconcile(ch)
	f.eventually("request handled", func() bool { f.get(ch); return ch.Status.LastHandledReconcileAt == v })
	if n := f.sim.Calls(graphsim.EndpointRegisterPhoneNumber); n != 1 {
		t.Fatalf("register called %d times with a PIN Meta refused, want 1", n)
	}
	assertPINNowhere(t, f, ch, pinValue)

	// The right PIN in the Secret is tried at once (the Secret is watched).
	f.get(secret)
	patch := client.MergeFrom(secret.DeepCopy())
	secret.Data["pin"] = []byte("135790")
	if err := f.c.Patch(context.Background(), secret, patch); err != nil {
		t.Fatal(err)
	}
	f.waitCondition(ch, "Ready", metav1.ConditionTrue, "")
	if n := f.sim.Calls(graphsim.EndpointRegisterPhoneNumber); n != 2 {
		t.Errorf("register called %d times, want 2 (one per PIN)", n)
	}
	assertPINNowhere(t, f, ch, "135790")
}
