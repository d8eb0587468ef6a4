package conditions

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

func newObj() *whatsappv1alpha1.MessageTemplate {
	t := &whatsappv1alpha1.MessageTemplate{}
	t.Generation = 3
	return t
}

func types(obj Setter) map[string]metav1.ConditionStatus {
	m := map[string]metav1.ConditionStatus{}
	for _, c := range obj.GetConditions() {
		m[c.Type] = c.Status
	}
	return m
}

func TestTransitions(t *testing.T) {
	cases := map[string]struct {
		reason    string
		apply     func(Setter)
		want      map[string]metav1.ConditionStatus
		wantFinal bool
	}{
		"first sight": {
			reason: "an object without conditions reads as Current to kstatus, so the first write says Unknown/Reconciling",
			apply:  func(o Setter) { MarkSeen(o) },
			want:   map[string]metav1.ConditionStatus{"Ready": metav1.ConditionUnknown, "Reconciling": metav1.ConditionTrue},
		},
		"ready clears reconciling and stalled": {
			reason: "Reconciling and Stalled are present only while True",
			apply: func(o Setter) {
				MarkSeen(o)
				MarkStalled(o, "Rejected", "x")
				MarkReady(o, "ok")
			},
			want:      map[string]metav1.ConditionStatus{"Ready": metav1.ConditionTrue},
			wantFinal: true,
		},
		"stalled is final": {
			reason: "a Stalled object is done from a GitOps tool's view",
			apply: func(o Setter) {
				MarkSeen(o)
				MarkStalled(o, "Rejected", "x")
			},
			want:      map[string]metav1.ConditionStatus{"Ready": metav1.ConditionFalse, "Stalled": metav1.ConditionTrue},
			wantFinal: true,
		},
		"reconciling is not final": {
			reason: "a pending template is InProgress",
			apply: func(o Setter) {
				MarkReady(o, "ok")
				MarkReconciling(o, "Pending", "in review")
			},
			want: map[string]metav1.ConditionStatus{"Ready": metav1.ConditionFalse, "Reconciling": metav1.ConditionTrue},
		},
		"not ready waits": {
			reason: "waiting for a provider is neither in progress nor stalled",
			apply: func(o Setter) {
				MarkSeen(o)
				MarkNotReady(o, "ProviderNotReady", "x")
			},
			want: map[string]metav1.ConditionStatus{"Ready": metav1.ConditionFalse},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			o := newObj()
			tc.apply(o)
			got := types(o)
			if len(got) != len(tc.want) {
				t.Fatalf("conditions %v, want %v (%s)", got, tc.want, tc.reason)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s=%s, want %s (%s)", k, got[k], v, tc.reason)
				}
			}
			if Final(o) != tc.wantFinal {
				t.Errorf("Final=%v, want %v (%s)", Final(o), tc.wantFinal, tc.reason)
			}
			for _, c := range o.GetConditions() {
				if c.Reason == "" || c.ObservedGeneration != 3 {
					t.Errorf("condition %s has reason %q, generation %d", c.Type, c.Reason, c.ObservedGeneration)
				}
			}
		})
	}
}

func TestEmptyReasonIsReplaced(t *testing.T) {
	o := newObj()
	Set(o, "Ready", metav1.ConditionFalse, "", "x")
	if Get(o, "Ready").Reason == "" {
		t.Fatal("the schema rejects an empty reason; Set must fill one in")
	}
}
