package relay

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/providerstate"
)

func TestBuildSenders(t *testing.T) {
	provider := &whatsappv1alpha1.MetaProvider{}
	provider.Name = "acme"
	provider.Spec.GraphAPIVersion = "v24.0"
	channel := func(name, pnid, level string, ready bool) whatsappv1alpha1.WhatsAppChannel {
		ch := whatsappv1alpha1.WhatsAppChannel{}
		ch.Name, ch.Namespace = name, "support"
		ch.Spec.ProviderRef.Name = "acme"
		ch.Status.PhoneNumberID, ch.Status.ThroughputLevel = pnid, level
		status := metav1.ConditionFalse
		if ready {
			status = metav1.ConditionTrue
		}
		meta.SetStatusCondition(&ch.Status.Conditions, metav1.Condition{Type: whatsappv1alpha1.ConditionReady, Status: status, Reason: "R"})
		return ch
	}
	table := buildSenders(providerstate.Snapshot{Provider: provider, Channels: []whatsappv1alpha1.WhatsAppChannel{
		channel("standard", "101", "STANDARD", true),
		channel("high", "102", "HIGH", true),
		channel("unknown", "103", "", true),
		channel("not-ready", "104", "HIGH", false),
		channel("no-number", "", "STANDARD", true),
	}})
	cases := map[string]struct {
		reason string
		pnid   string
		ok     bool
		rate   int
	}{
		"Standard": {reason: "STANDARD sends 80 a second", pnid: "101", ok: true, rate: 80},
		"High":     {reason: "HIGH sends 1,000 a second", pnid: "102", ok: true, rate: 1000},
		"Unknown":  {reason: "no level recorded yet: the default 80", pnid: "103", ok: true, rate: 80},
		"NotReady": {reason: "a channel that is not Ready does not send", pnid: "104"},
		"NoNumber": {reason: "no phone number id, no sender", pnid: ""},
	}
	for name, tc := range cases {
		s, ok := table.lookup(tc.pnid)
		if ok != tc.ok || s.PerSecond != tc.rate {
			t.Errorf("%s: %s: got ok=%v rate=%d", name, tc.reason, ok, s.PerSecond)
		}
	}
	if table.version != "v24.0" {
		t.Errorf("the provider's Graph API version is what Meta gets, got %q", table.version)
	}
	if empty := buildSenders(providerstate.Snapshot{Channels: []whatsappv1alpha1.WhatsAppChannel{channel("a", "101", "", true)}}); len(empty.byPNID) != 0 {
		t.Error("without the provider nothing may send")
	}
}
