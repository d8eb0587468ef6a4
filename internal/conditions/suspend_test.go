package conditions

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

func TestSuspension(t *testing.T) {
	cases := map[string]struct {
		reason      string
		before      func(Setter)
		wantReady   metav1.ConditionStatus
		wantStalled bool
		wantMessage []string
	}{
		"ready stays ready": {
			reason:      "channels, routes and the relay read Ready: suspending must not stop traffic",
			before:      func(o Setter) { MarkReady(o, "all good") },
			wantReady:   metav1.ConditionTrue,
			wantMessage: []string{suspendedMessage, "Ready was True (Succeeded): all good"},
		},
		"stalled stays stalled": {
			reason:      "the problem a human must fix is still there: kstatus keeps reading Failed",
			before:      func(o Setter) { MarkStalled(o, "InvalidCredentials", "put a new token in the Secret") },
			wantReady:   metav1.ConditionFalse,
			wantStalled: true,
			wantMessage: []string{"Ready was False (InvalidCredentials): put a new token in the Secret"},
		},
		"reconciling loses reconciling": {
			reason:      "no work is under way while suspended",
			before:      func(o Setter) { MarkReconciling(o, "Pending", "Meta is reviewing") },
			wantReady:   metav1.ConditionFalse,
			wantMessage: []string{"Ready was False (Pending): Meta is reviewing"},
		},
		"never reconciled": {
			reason:      "an object created suspended says so, without a made-up state",
			before:      func(o Setter) { MarkSeen(o) },
			wantReady:   metav1.ConditionUnknown,
			wantMessage: []string{suspendedMessage, "Not reconciled yet."},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			o := newObj()
			tc.before(o)
			MarkSuspended(o)
			got := types(o)
			want := map[string]metav1.ConditionStatus{whatsappv1alpha1.ConditionReady: tc.wantReady}
			if tc.wantStalled {
				want[whatsappv1alpha1.ConditionStalled] = metav1.ConditionTrue
			}
			if len(got) != len(want) || got[whatsappv1alpha1.ConditionReady] != tc.wantReady || got[whatsappv1alpha1.ConditionStalled] != want[whatsappv1alpha1.ConditionStalled] {
				t.Fatalf("conditions %v, want %v (%s)", got, want, tc.reason)
			}
			ready := Get(o, whatsappv1alpha1.ConditionReady)
			if ready.Reason != whatsappv1alpha1.ReasonSuspended {
				t.Errorf("Ready reason %q, want Suspended", ready.Reason)
			}
			for _, part := range tc.wantMessage {
				if !strings.Contains(ready.Message, part) {
					t.Errorf("Ready message %q lacks %q (%s)", ready.Message, part, tc.reason)
				}
			}
			if !Suspended(o) || !Final(o) {
				t.Errorf("Suspended=%v Final=%v, want both: status.observedGeneration follows a suspended spec", Suspended(o), Final(o))
			}

			// Marking again (another spec change while suspended) keeps
			// the message: it does not nest "when suspended" in itself.
			first := ready.Message
			MarkSuspended(o)
			if again := Get(o, whatsappv1alpha1.ConditionReady).Message; again != first {
				t.Errorf("second MarkSuspended changed the message:\n%s\nto\n%s", first, again)
			}

			// Resuming: in progress, Ready's status left to the sync.
			if !MarkResumed(o) {
				t.Fatal("MarkResumed on a suspended object reported it was not suspended")
			}
			if Suspended(o) || !IsTrue(o, whatsappv1alpha1.ConditionReconciling) {
				t.Errorf("after resume: suspended=%v, reconciling=%v; want false, true", Suspended(o), IsTrue(o, whatsappv1alpha1.ConditionReconciling))
			}
			if s := Get(o, whatsappv1alpha1.ConditionReady).Status; s != tc.wantReady {
				t.Errorf("resume changed Ready to %s, want %s kept until the sync decides", s, tc.wantReady)
			}
			if MarkResumed(o) {
				t.Error("MarkResumed on an object that is not suspended reported a resume")
			}
		})
	}
}
