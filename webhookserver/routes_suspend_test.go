package webhookserver

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// TestSuspendedChannelKeepsItsRoute: spec.suspend stops the operator, not
// the traffic (decision 027). A suspended channel — Ready kept with reason
// Suspended, or not Ready at all — keeps its number's route, to the
// chatbot its spec names now, and so does a channel of a suspended
// provider.
func TestSuspendedChannelKeepsItsRoute(t *testing.T) {
	suspendedReady := metav1.Condition{Type: whatsappv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: whatsappv1alpha1.ReasonSuspended}
	suspendedNotReady := metav1.Condition{Type: whatsappv1alpha1.ConditionReady, Status: metav1.ConditionFalse, Reason: whatsappv1alpha1.ReasonSuspended}
	a := newChannel("a", "+12025550101", "101", urlBot("http://127.0.0.1:1/moved"), suspendedReady)
	a.Spec.Suspend = true
	b := newChannel("b", "+12025550102", "102", urlBot("http://127.0.0.1:1/b"), suspendedNotReady)
	b.Spec.Suspend = true
	provider := testProviderObject()
	provider.Spec.Suspend = true

	table := BuildRouteTable(1, provider, []whatsappv1alpha1.WhatsAppChannel{a, b})
	for pnid, want := range map[string]string{"101": "http://127.0.0.1:1/moved", "102": "http://127.0.0.1:1/b"} {
		r, ok := table.Lookup(pnid)
		if !ok {
			t.Errorf("suspended channel's number %s lost its route", pnid)
			continue
		}
		if r.Chatbot.URL != want {
			t.Errorf("number %s routes to %q, want the spec's %q", pnid, r.Chatbot.URL, want)
		}
	}
}
