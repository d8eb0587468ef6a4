package relay

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/providerstate"
)

// TestSuspendedChannelKeepsSending: spec.suspend stops the operator, not
// the traffic (decision 027). A channel suspended while Ready keeps
// Ready=True (reason Suspended) and so keeps sending, also under a
// suspended provider; one suspended while not Ready still does not send.
func TestSuspendedChannelKeepsSending(t *testing.T) {
	provider := &whatsappv1alpha1.MetaProvider{}
	provider.Name = "acme"
	provider.Spec.Suspend = true
	channel := func(pnid string, status metav1.ConditionStatus) whatsappv1alpha1.WhatsAppChannel {
		ch := whatsappv1alpha1.WhatsAppChannel{}
		ch.Name, ch.Namespace = "ch-"+pnid, "support"
		ch.Spec.ProviderRef.Name = "acme"
		ch.Spec.Suspend = true
		ch.Status.PhoneNumberID = pnid
		ch.Status.Conditions = []metav1.Condition{{Type: whatsappv1alpha1.ConditionReady, Status: status, Reason: whatsappv1alpha1.ReasonSuspended}}
		return ch
	}
	table := buildSenders(providerstate.Snapshot{Provider: provider, Channels: []whatsappv1alpha1.WhatsAppChannel{
		channel("101", metav1.ConditionTrue), channel("102", metav1.ConditionFalse),
	}})
	if _, ok := table.lookup("101"); !ok {
		t.Error("a channel suspended while Ready stopped sending")
	}
	if _, ok := table.lookup("102"); ok {
		t.Error("a channel suspended while not Ready may send")
	}
}
