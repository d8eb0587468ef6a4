package controllers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

func TestChannelFindsItsNumberByDigits(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	// Meta's view of the number, as the relay and kubectl get read it.
	if err := f.sim.UpdatePhoneNumber(phoneID, func(p *graphsim.PhoneNumber) { p.ThroughputLevel, p.AccountMode = "HIGH", "SANDBOX" }); err != nil {
		t.Fatal(err)
	}
	f.readyProvider("acme")
	// Meta shows "+1 202-555-0123"; the spec says +12025550123.
	ch := f.channel("support-us", phoneE164)
	f.waitCondition(ch, "Ready", metav1.ConditionTrue, "Succeeded")
	want := whatsappv1alpha1.WhatsAppChannelStatus{
		PhoneNumberID: phoneID, DisplayPhoneNumber: "+1 202-555-0123", VerifiedName: "Acme Support", QualityRating: "GREEN",
	}
	got := ch.Status
	if got.PhoneNumberID != want.PhoneNumberID || got.DisplayPhoneNumber != want.DisplayPhoneNumber ||
		got.VerifiedName != want.VerifiedName || got.QualityRating != want.QualityRating || got.MessagingLimitTier == "" {
		t.Errorf("status = %+v, want %+v and a messaging tier", got, want)
	}
	meta := [5]string{got.NameStatus, got.NumberStatus, got.PlatformType, got.ThroughputLevel, got.AccountMode}
	if meta != [5]string{"APPROVED", "CONNECTED", "CLOUD_API", "HIGH", "SANDBOX"} {
		t.Errorf("status name/number/platform/throughput/mode = %v, want Meta's APPROVED CONNECTED CLOUD_API HIGH SANDBOX", meta)
	}
	for _, ct := range []string{"PhoneNumberVerified", "Routed", "ProfileSynced"} {
		if c := condition(ch, ct); c == nil || c.Status != metav1.ConditionTrue {
			t.Errorf("%s = %+v, want True", ct, c)
		}
	}
	if got := kstatus(ch.Generation, ch.Status.ObservedGeneration, ch.Status.Conditions); got != "Current" {
		t.Errorf("kstatus = %s, want Current", got)
	}
}

func TestChannelWithUnknownNumberStallsNamingNumberAndWABA(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.readyProvider("acme")
	ch := f.channel("typo", "+12025550999")
	f.waitCondition(ch, "Stalled", metav1.ConditionTrue, "PhoneNumberNotFound")
	msg := condition(ch, "Ready").Message
	for _, want := range []string{"+12025550999", wabaID, "+1 202-555-0123"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	if ch.Status.PhoneNumberID != "" {
		t.Errorf("a channel without its number shows id %q (the webhook server would route to it)", ch.Status.PhoneNumberID)
	}
	f.waitEvent("typo", "PhoneNumberNotFound")
}

func TestSecondChannelForTheSameNumberIsAConflict(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.readyProvider("acme")
	first := f.channel("first", phoneE164)
	f.waitCondition(first, "Ready", metav1.ConditionTrue, "")
	firstStatus := first.Status.DeepCopy()

	second := f.channel("second", phoneE164)
	f.waitCondition(second, "Stalled", metav1.ConditionTrue, "Conflict")
	if msg := condition(second, "Ready").Message; !strings.Contains(msg, f.ns+"/first") {
		t.Errorf("conflict message does not name the holder: %s", msg)
	}
	if c := condition(second, "Routed"); c == nil || c.Reason != "Conflict" {
		t.Errorf("Routed = %+v, want Conflict", c)
	}
	if second.Status.PhoneNumberID != "" {
		t.Errorf("the duplicate shows the number's id %q", second.Status.PhoneNumberID)
	}
	f.get(first)
	if c := condition(first, "Ready"); c.Status != metav1.ConditionTrue || first.Status.PhoneNumberID != firstStatus.PhoneNumberID {
		t.Errorf("the first channel was disturbed: %+v", first.Status)
	}

	// Deleting the holder frees the number for the second channel.
	if err := f.c.Delete(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	f.waitCondition(second, "Ready", metav1.ConditionTrue, "")
}

func TestChannelWaitsForItsProviderWithoutCallingMeta(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.secret("acme-meta")
	p := f.provider("acme") // webhook server never becomes ready
	f.waitCondition(p, "Reconciling", metav1.ConditionTrue, "WaitingForWebhook")
	// A channel that went ahead would read (and write) its profile and
	// record the number's id from the provider's phone listing.
	ch := f.channel("support-us", phoneE164, func(c *whatsappv1alpha1.WhatsAppChannel) {
		c.Spec.Profile = &whatsappv1alpha1.BusinessProfile{About: "We answer within minutes"}
	})
	f.waitCondition(ch, "Ready", metav1.ConditionFalse, "ProviderNotReady")
	if got := kstatus(ch.Generation, ch.Status.ObservedGeneration, ch.Status.Conditions); got != "InProgress" {
		t.Errorf("kstatus = %s, want InProgress", got)
	}
	f.requestReconcile(ch)
	time.Sleep(time.Second)
	f.get(ch)
	if ch.Status.PhoneNumberID != "" {
		t.Errorf("the channel used Meta's data (%s) while its provider was not Ready", ch.Status.PhoneNumberID)
	}
	for _, ep := range []string{graphsim.EndpointGetBusinessProfile, graphsim.EndpointUpdateBusinessProfile} {
		if n := f.sim.Calls(ep); n != 0 {
			t.Errorf("%s called %d times while the provider was not Ready", ep, n)
		}
	}

	// The provider becoming Ready wakes the channel.
	f.markWebhookReady("acme")
	f.waitCondition(ch, "Ready", metav1.ConditionTrue, "")
}

func TestChannelKeepsTheBusinessProfile(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.readyProvider("acme")
	want := &whatsappv1alpha1.BusinessProfile{
		About: "We answer within minutes", Email: "support@acme.example", Vertical: "PROF_SERVICES",
		Websites: []string{"https://acme.example"},
	}
	ch := f.channel("support-us", phoneE164, func(c *whatsappv1alpha1.WhatsAppChannel) { c.Spec.Profile = want })
	f.waitCondition(ch, "ProfileSynced", metav1.ConditionTrue, "Succeeded")
	live, ok := f.sim.Profile(phoneID)
	if !ok || live.About != want.About || live.Email != want.Email || live.Vertical != want.Vertical || len(live.Websites) != 1 {
		t.Fatalf("profile at Meta = %+v, want %+v", live, want)
	}
	f.waitEvent("support-us", "ProfileUpdated")
	updates := f.sim.Calls(graphsim.EndpointUpdateBusinessProfile)

	// Someone edits the profile in WhatsApp Manager; a reconcile request
	// (or the next sync) puts it back, and an equal profile is not rewritten.
	if err := f.sim.SetProfile(phoneID, graphsim.BusinessProfile{About: "hacked", Email: want.Email, Vertical: want.Vertical, Websites: want.Websites}); err != nil {
		t.Fatal(err)
	}
	f.requestReconcile(ch)
	f.eventually("profile restored", func() bool { p, _ := f.sim.Profile(phoneID); return p.About == want.About })
	if n := f.sim.Calls(graphsim.EndpointUpdateBusinessProfile); n != updates+1 {
		t.Errorf("profile updates = %d, want %d", n, updates+1)
	}
	before := f.sim.Calls(graphsim.EndpointUpdateBusinessProfile)
	v := f.requestReconcile(ch)
	f.eventually("request handled", func() bool { f.get(ch); return ch.Status.LastHandledReconcileAt == v })
	if n := f.sim.Calls(graphsim.EndpointUpdateBusinessProfile); n != before {
		t.Errorf("an equal profile was written again (%d → %d)", before, n)
	}
}

func TestChannelReportsAMissingChatbotService(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.readyProvider("acme")
	ch := f.channel("support-us", phoneE164, func(c *whatsappv1alpha1.WhatsAppChannel) {
		c.Spec.Chatbot = whatsappv1alpha1.ChatbotTarget{ServiceRef: &whatsappv1alpha1.ServiceReference{Name: "bot", Port: intstr.FromString("http")}, Path: "/wa"}
	})
	f.waitCondition(ch, "Routed", metav1.ConditionFalse, "ChatbotNotFound")
	if msg := condition(ch, "Routed").Message; !strings.Contains(msg, "bot") {
		t.Errorf("message does not name the Service: %s", msg)
	}
	f.create(&corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "bot"},
		Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "http", Port: 8080}}},
	})
	f.requestReconcile(ch)
	f.waitCondition(ch, "Ready", metav1.ConditionTrue, "")
}

func TestQualityDropRaisesAnEvent(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.readyProvider("acme")
	ch := f.channel("support-us", phoneE164)
	f.waitCondition(ch, "Ready", metav1.ConditionTrue, "")
	if err := f.sim.SetQualityRating(phoneID, "YELLOW"); err != nil {
		t.Fatal(err)
	}
	if err := f.sim.UpdatePhoneNumber(phoneID, func(p *graphsim.PhoneNumber) { p.MessagingLimitTier = "TIER_10K" }); err != nil {
		t.Fatal(err)
	}
	f.requestReconcile(ch)
	e := f.waitEvent("support-us", "QualityDropped")
	if e.Type != corev1.EventTypeWarning || !strings.Contains(e.Note, "GREEN to YELLOW") {
		t.Errorf("event = %s %q", e.Type, e.Note)
	}
	f.eventually("status shows YELLOW", func() bool { f.get(ch); return ch.Status.QualityRating == "YELLOW" })
	// A tier change is news too: Normal when it rose.
	if e := f.waitEvent("support-us", "TierChanged"); e.Type != corev1.EventTypeNormal || !strings.Contains(e.Note, "TIER_1K to TIER_10K") {
		t.Errorf("tier event = %s %q, want Normal from TIER_1K to TIER_10K", e.Type, e.Note)
	}
}

func TestNumberAddedAtMetaAfterTheLastListingIsFound(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{numberRecheckAge: time.Millisecond})
	f.readyProvider("acme") // the WABA's phone listing is read and shared now
	// The user adds a number in Meta's dashboard, then applies its channel.
	if _, err := f.sim.AddPhoneNumber(wabaID, graphsim.PhoneNumber{ID: "120233333333333", DisplayPhoneNumber: "+1 202-555-0150", VerifiedName: "Acme Billing"}); err != nil {
		t.Fatal(err)
	}
	ch := f.channel("billing", "+12025550150")
	f.waitCondition(ch, "Ready", metav1.ConditionTrue, "")
	if ch.Status.PhoneNumberID != "120233333333333" {
		t.Errorf("phoneNumberID = %q", ch.Status.PhoneNumberID)
	}
	if c := condition(ch, "Stalled"); c != nil {
		t.Errorf("a number added before its channel was Stalled: %+v", c)
	}
}

func TestMissingNumbersShareOneFreshListing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{}) // NumberRecheckAge at its default, 10s
	f.readyProvider("acme")
	f.sim.ResetCalls()
	var typos []*whatsappv1alpha1.WhatsAppChannel
	for i := range 5 {
		typos = append(typos, f.channel(fmt.Sprintf("typo-%d", i), fmt.Sprintf("+120255509%02d", i)))
	}
	for _, ch := range typos {
		f.waitCondition(ch, "Stalled", metav1.ConditionTrue, "PhoneNumberNotFound")
	}
	// Five channels missing their number at once re-read the WABA's
	// listing once, or twice when the 10-second window turns meanwhile.
	if n := f.sim.Calls(graphsim.EndpointListPhoneNumbers); n > 2 {
		t.Errorf("phone listings = %d for 5 missing numbers, want at most 2 (one per WABA per 10s)", n)
	}
}

// A chatbot URL may carry a token (in its path, query or user info), and
// conditions and Events are read by whoever may read the channel: they show
// the URL's scheme and host only.
func TestChatbotURLShowsSchemeAndHostOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.readyProvider("acme")
	ch := f.channel("support-us", phoneE164, func(c *whatsappv1alpha1.WhatsAppChannel) {
		c.Spec.Chatbot.URL = "https://bot-user:pw-5e1f@bot.example.com:8443/hooks/path-5e1f?token=query-5e1f"
	})
	f.waitCondition(ch, "Ready", metav1.ConditionTrue, "Succeeded")
	f.waitEvent("support-us", "Succeeded")
	texts := []string{}
	for _, c := range ch.Status.Conditions {
		texts = append(texts, c.Message)
	}
	for _, e := range f.events("support-us") {
		texts = append(texts, e.Note)
	}
	for _, text := range texts {
		if strings.Contains(text, "5e1f") || strings.Contains(text, "bot-user") {
			t.Errorf("a part of the chatbot URL other than scheme and host is shown: %q", text)
		}
	}
	for _, ct := range []string{"Ready", "Routed"} {
		if msg := condition(ch, ct).Message; !strings.Contains(msg, "https://bot.example.com:8443") {
			t.Errorf("%s does not say where webhooks go: %q", ct, msg)
		}
	}
}
