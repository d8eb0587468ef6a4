package controllers_test

import (
	"fmt"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// kstatus is what sigs.k8s.io/cli-utils/pkg/kstatus — the library Flux,
// Argo CD's gitops-engine and kpt/kapply use to decide whether a resource
// is done — computes for a resource of ours with this generation,
// top-level status.observedGeneration and conditions: "InProgress",
// "Failed", "Current", ... (status.Status). The object is built as the API
// server serves ours: status.observedGeneration is omitted while 0
// (omitempty), which kstatus reads as "not reported".
func kstatus(generation, observedGeneration int64, conds []metav1.Condition) string {
	st := map[string]any{}
	if observedGeneration != 0 {
		st["observedGeneration"] = observedGeneration
	}
	if len(conds) > 0 {
		list := make([]any, 0, len(conds))
		for _, c := range conds {
			m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&c)
			if err != nil {
				panic(err)
			}
			list = append(list, m)
		}
		st["conditions"] = list
	}
	u := &unstructured.Unstructured{Object: map[string]any{"status": st}}
	u.SetGroupVersionKind(whatsappv1alpha1.GroupVersion.WithKind("MetaProvider"))
	u.SetName("kstatus")
	u.SetNamespace("kstatus")
	u.SetGeneration(generation)
	res, err := status.Compute(u)
	if err != nil {
		return fmt.Sprintf("error: %v", err)
	}
	return string(res.Status)
}

// TestKstatusHelperIsTheLibrary pins the cases the controller tests rely
// on, so a change of kstatus' rules shows here first, by name.
func TestKstatusHelperIsTheLibrary(t *testing.T) {
	t.Parallel()
	cond := func(typ string, s metav1.ConditionStatus) metav1.Condition {
		return metav1.Condition{Type: typ, Status: s, Reason: "R", LastTransitionTime: metav1.Now()}
	}
	cases := map[string]struct {
		reason           string
		gen, observedGen int64
		conds            []metav1.Condition
		want             status.Status
	}{
		"first seen": {
			reason: "Ready=Unknown with Reconciling=True is work under way",
			gen:    1, conds: []metav1.Condition{cond("Ready", metav1.ConditionUnknown), cond("Reconciling", metav1.ConditionTrue)},
			want: status.InProgressStatus,
		},
		"ready": {
			reason: "Ready=True for the current generation is done",
			gen:    2, observedGen: 2, conds: []metav1.Condition{cond("Ready", metav1.ConditionTrue)},
			want: status.CurrentStatus,
		},
		"stale ready": {
			reason: "a Ready=True of the last generation is not done",
			gen:    3, observedGen: 2, conds: []metav1.Condition{cond("Ready", metav1.ConditionTrue)},
			want: status.InProgressStatus,
		},
		"stalled": {
			reason: "Stalled=True needs a human",
			gen:    1, observedGen: 1, conds: []metav1.Condition{cond("Ready", metav1.ConditionFalse), cond("Stalled", metav1.ConditionTrue)},
			want: status.FailedStatus,
		},
		// Suspension (decision 027): observedGeneration follows the
		// suspended spec, Reconciling goes, Ready and Stalled stay.
		"suspended while ready": {
			reason: "a suspended object that was Ready stays done for Flux and kubectl",
			gen:    4, observedGen: 4, conds: []metav1.Condition{cond("Ready", metav1.ConditionTrue)},
			want: status.CurrentStatus,
		},
		"suspended while stalled": {
			reason: "the problem a human must fix is still there",
			gen:    4, observedGen: 4, conds: []metav1.Condition{cond("Ready", metav1.ConditionFalse), cond("Stalled", metav1.ConditionTrue)},
			want: status.FailedStatus,
		},
		"suspended while in progress": {
			reason: "kstatus reads Ready=False without Reconciling as InProgress: it never claims a not-Ready object done",
			gen:    4, observedGen: 4, conds: []metav1.Condition{cond("Ready", metav1.ConditionFalse)},
			want: status.InProgressStatus,
		},
	}
	for name, tc := range cases {
		if got := kstatus(tc.gen, tc.observedGen, tc.conds); got != string(tc.want) {
			t.Errorf("%s: kstatus = %s, want %s (%s)", name, got, tc.want, tc.reason)
		}
	}
}

// TestKubectlWaitForReadyOnEachKind runs `kubectl wait
// --for=condition=Ready` — what a deploy script or CI job runs after
// kubectl apply — on one object of each kind while they are still in
// progress, and checks it returns only once all three are Ready.
func TestKubectlWaitForReadyOnEachKind(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{}) // templates stay PENDING until approved below
	f.secret("acme-meta")
	p := f.provider("acme")
	f.channel("support-us", phoneE164)
	mt := f.template("order-update")

	type result struct {
		out string
		err error
	}
	waited := make(chan result, 1)
	go func() {
		out, err := env.Kubectl("wait", "--for=condition=Ready", "--timeout=60s", "-n", f.ns,
			"metaprovider/acme", "whatsappchannel/support-us", "messagetemplate/order-update")
		waited <- result{out, err}
	}()

	f.waitCondition(p, "Reconciling", metav1.ConditionTrue, "WaitingForWebhook")
	f.markWebhookReady("acme")
	f.waitCondition(mt, "Reconciling", metav1.ConditionTrue, "Pending")
	select {
	case r := <-waited:
		t.Fatalf("kubectl wait returned while the template was still in review: %v\n%s", r.err, r.out)
	default:
	}
	if err := f.sim.SetTemplateStatus(mt.Status.TemplateID, "APPROVED", ""); err != nil {
		t.Fatal(err)
	}
	r := <-waited
	if r.err != nil {
		t.Fatalf("kubectl wait: %v\n%s", r.err, r.out)
	}
	for _, want := range []string{"metaprovider.whatsapp.kubechat.io/acme condition met", "whatsappchannel.whatsapp.kubechat.io/support-us condition met", "messagetemplate.whatsapp.kubechat.io/order-update condition met"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("kubectl wait output lacks %q:\n%s", want, r.out)
		}
	}
}
