package controllers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

func TestTemplateReviewMapsToKstatus(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{}) // manual review: PENDING until decided
	f.readyProvider("acme")
	mt := f.template("order-update")
	f.waitCondition(mt, "Reconciling", metav1.ConditionTrue, "Pending")
	if mt.Status.Name != "order_update" {
		t.Errorf("status.name = %q, want the name defaulted from metadata.name (the Template column shows it)", mt.Status.Name)
	}
	if mt.Status.TemplateID == "" || mt.Status.ApprovalStatus != "PENDING" {
		t.Fatalf("status = %+v, want an id and PENDING", mt.Status)
	}
	if got := kstatus(mt.Generation, mt.Status.ObservedGeneration, mt.Status.Conditions); got != "InProgress" {
		t.Errorf("kstatus of a pending template = %s, want InProgress", got)
	}
	live, ok := f.sim.Template(mt.Status.TemplateID)
	if !ok || live.Name != "order_update" || live.Language != "en_US" {
		t.Fatalf("template at Meta = %+v, want order_update/en_US (default name from metadata.name)", live)
	}

	// Meta approves, re-categorising it; polling sees it without any help.
	if err := f.sim.SetTemplateStatus(mt.Status.TemplateID, "APPROVED", ""); err != nil {
		t.Fatal(err)
	}
	f.waitCondition(mt, "Ready", metav1.ConditionTrue, "Succeeded")
	if mt.Status.ApprovalStatus != "APPROVED" || mt.Status.Category != "UTILITY" {
		t.Errorf("status = %+v", mt.Status)
	}
	if got := kstatus(mt.Generation, mt.Status.ObservedGeneration, mt.Status.Conditions); got != "Current" {
		t.Errorf("kstatus of an approved template = %s, want Current", got)
	}
}

func TestRejectedTemplateStallsWithMetasReason(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{review: graphsim.Review{Status: "REJECTED", Reason: "INVALID_FORMAT"}, reviewDelay: 200 * time.Millisecond})
	f.readyProvider("acme")
	mt := f.template("promo")
	f.waitCondition(mt, "Stalled", metav1.ConditionTrue, "Rejected")
	if mt.Status.RejectedReason != "INVALID_FORMAT" || !strings.Contains(condition(mt, "Ready").Message, "INVALID_FORMAT") {
		t.Errorf("rejected reason not shown: %+v / %s", mt.Status, condition(mt, "Ready").Message)
	}
	if got := kstatus(mt.Generation, mt.Status.ObservedGeneration, mt.Status.Conditions); got != "Failed" {
		t.Errorf("kstatus of a rejected template = %s, want Failed", got)
	}
	f.waitEvent("promo", "Rejected")

	// Fixing the spec resubmits it as an edit of the same template.
	f.sim.SetTemplateReview(200*time.Millisecond, graphsim.Review{Status: "APPROVED"})
	id := mt.Status.TemplateID
	patch := client.MergeFrom(mt.DeepCopy())
	mt.Spec.Body.Text = "Hello {{1}}, order {{2}} is on its way."
	if err := f.c.Patch(context.Background(), mt, patch); err != nil {
		t.Fatal(err)
	}
	f.waitCondition(mt, "Ready", metav1.ConditionTrue, "")
	if mt.Status.TemplateID != id {
		t.Errorf("a new template %s was created instead of editing %s", mt.Status.TemplateID, id)
	}
	if n := f.sim.Calls(graphsim.EndpointEditTemplate); n != 1 {
		t.Errorf("edits = %d, want 1", n)
	}
	if n := f.sim.Calls(graphsim.EndpointCreateTemplate); n != 1 {
		t.Errorf("creates = %d, want 1", n)
	}
}

func TestPausedTemplateIsNotReady(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{review: graphsim.Review{Status: "APPROVED"}, reviewDelay: 100 * time.Millisecond})
	f.readyProvider("acme")
	mt := f.template("order-update")
	f.waitCondition(mt, "Ready", metav1.ConditionTrue, "")
	if err := f.sim.SetTemplateQuality(mt.Status.TemplateID, "RED"); err != nil {
		t.Fatal(err)
	}
	if err := f.sim.SetTemplateStatus(mt.Status.TemplateID, "PAUSED", ""); err != nil {
		t.Fatal(err)
	}
	f.requestReconcile(mt)
	f.waitCondition(mt, "Ready", metav1.ConditionFalse, "Paused")
	if mt.Status.ApprovalStatus != "PAUSED" {
		t.Errorf("approvalStatus = %s", mt.Status.ApprovalStatus)
	}
	// Visibly not Ready to kstatus, Flux and Argo CD, with Meta's reason.
	if got := kstatus(mt.Generation, mt.Status.ObservedGeneration, mt.Status.Conditions); got == "Current" {
		t.Errorf("kstatus of a paused template = %s: a template whose sends fail reads as healthy", got)
	}
	if msg := condition(mt, "Ready").Message; !strings.Contains(msg, "PAUSED") || !strings.Contains(msg, "RED") {
		t.Errorf("message lacks Meta's status and quality score: %s", msg)
	}

	// Meta lifts the pause: Ready again.
	if err := f.sim.SetTemplateStatus(mt.Status.TemplateID, "APPROVED", ""); err != nil {
		t.Fatal(err)
	}
	f.requestReconcile(mt)
	f.waitCondition(mt, "Ready", metav1.ConditionTrue, "Succeeded")
	if got := kstatus(mt.Generation, mt.Status.ObservedGeneration, mt.Status.Conditions); got != "Current" {
		t.Errorf("kstatus after Meta resumed it = %s, want Current", got)
	}

	// Disabled after repeated pauses: Stalled, its own reason.
	if err := f.sim.SetTemplateStatus(mt.Status.TemplateID, "DISABLED", ""); err != nil {
		t.Fatal(err)
	}
	f.requestReconcile(mt)
	f.waitCondition(mt, "Stalled", metav1.ConditionTrue, "Disabled")
	if got := kstatus(mt.Generation, mt.Status.ObservedGeneration, mt.Status.Conditions); got != "Failed" {
		t.Errorf("kstatus of a disabled template = %s, want Failed", got)
	}
}

func TestMetaRecategorisationIsRecordedWithAnEvent(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{review: graphsim.Review{Status: "APPROVED"}, reviewDelay: 100 * time.Millisecond})
	f.readyProvider("acme")
	mt := f.template("order-update")
	f.waitCondition(mt, "Ready", metav1.ConditionTrue, "")
	// Meta moves it to MARKETING and sends template_category_update, on
	// which the webhook server asks for a fresh look.
	if err := f.sim.SetTemplateCategory(mt.Status.TemplateID, "MARKETING"); err != nil {
		t.Fatal(err)
	}
	f.requestReconcile(mt)
	f.eventually("category recorded", func() bool {
		f.get(mt)
		return mt.Status.Category == "MARKETING" && mt.Status.PreviousCategory == "UTILITY"
	})
	e := f.waitEvent("order-update", "CategoryChanged")
	if e.Type != corev1.EventTypeWarning || !strings.Contains(e.Note, "from UTILITY to MARKETING") {
		t.Errorf("event = %s %q, want a Warning naming both categories", e.Type, e.Note)
	}
	f.waitCondition(mt, "Ready", metav1.ConditionTrue, "")
	if msg := condition(mt, "Ready").Message; !strings.Contains(msg, "MARKETING") || !strings.Contains(msg, "spec.category asks for UTILITY") {
		t.Errorf("Ready does not say Meta's category differs from the spec's: %s", msg)
	}
	if n := f.sim.Calls(graphsim.EndpointEditTemplate); n != 0 {
		t.Errorf("the operator edited the template (%d) after Meta re-categorised it", n)
	}
}

func TestApprovedTemplateEditRespectsMetasBudget(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{review: graphsim.Review{Status: "APPROVED"}, reviewDelay: 100 * time.Millisecond})
	f.readyProvider("acme")
	mt := f.template("order-update")
	f.waitCondition(mt, "Ready", metav1.ConditionTrue, "")

	edit := func(text string) {
		f.get(mt)
		patch := client.MergeFrom(mt.DeepCopy())
		mt.Spec.Body.Text = text
		if err := f.c.Patch(context.Background(), mt, patch); err != nil {
			t.Fatal(err)
		}
	}
	edit("Hi {{1}}, your order {{2}} shipped today.")
	f.waitCondition(mt, "Ready", metav1.ConditionTrue, "")
	if n := f.sim.Calls(graphsim.EndpointEditTemplate); n != 1 {
		t.Fatalf("edits = %d, want 1", n)
	}
	// A second edit within 24 hours of an approved template is refused,
	// and the condition says why instead of hot-looping.
	edit("Hi {{1}}, order {{2}} shipped a moment ago.")
	f.waitCondition(mt, "Submitted", metav1.ConditionFalse, "EditRefused")
	if msg := condition(mt, "Submitted").Message; !strings.Contains(msg, "24 hours") {
		t.Errorf("refusal does not explain the budget: %s", msg)
	}
	calls := f.sim.Calls(graphsim.EndpointEditTemplate)
	time.Sleep(2 * time.Second)
	if n := f.sim.Calls(graphsim.EndpointEditTemplate); n > calls+1 {
		t.Errorf("refused edits retried in a loop: %d → %d", calls, n)
	}
}

func TestTemplateDeletionFollowsDeletionPolicy(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{review: graphsim.Review{Status: "APPROVED"}, reviewDelay: 100 * time.Millisecond})
	f.readyProvider("acme")
	del := f.template("to-delete")
	keep := f.template("to-keep", func(mt *whatsappv1alpha1.MessageTemplate) { mt.Spec.DeletionPolicy = "Orphan" })
	// Another language of the same name must survive the delete (hsm_id).
	other := f.template("to-delete-es", func(mt *whatsappv1alpha1.MessageTemplate) {
		mt.Spec.Name, mt.Spec.Language = "to_delete", "es"
	})
	for _, mt := range []*whatsappv1alpha1.MessageTemplate{del, keep, other} {
		f.waitCondition(mt, "Ready", metav1.ConditionTrue, "")
	}
	ctx := context.Background()
	for _, mt := range []*whatsappv1alpha1.MessageTemplate{del, keep} {
		if err := f.c.Delete(ctx, mt); err != nil {
			t.Fatal(err)
		}
		f.eventually(mt.Name+" gone", func() bool { return f.c.Get(ctx, client.ObjectKeyFromObject(mt), mt) != nil })
	}
	names := map[string]bool{}
	for _, tpl := range f.sim.Templates(wabaID) {
		names[tpl.Name+"/"+tpl.Language] = true
	}
	if names["to_delete/en_US"] {
		t.Errorf("deletionPolicy Delete left the template at Meta")
	}
	if !names["to_keep/en_US"] {
		t.Errorf("deletionPolicy Orphan deleted the template at Meta")
	}
	if !names["to_delete/es"] {
		t.Errorf("deleting one language deleted the other (no hsm_id)")
	}
}

func TestRestartMidSubmitCreatesOneTemplate(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.readyProvider("acme")

	// Meta creates the template but its answer never reaches the operator,
	// which is then killed: the crash between Meta's answer and the status
	// write.
	f.link.dropNextAnswer(http.MethodPost, "/message_templates")
	mt := f.template("order-update")
	f.eventually("the create reached Meta and its answer was lost", func() bool { return f.link.dropped() == 1 })
	f.stopManager()
	if n := len(f.sim.Templates(wabaID)); n != 1 {
		t.Fatalf("test premise broken: Meta holds %d templates", n)
	}
	f.get(mt)
	if mt.Status.TemplateID != "" {
		t.Fatalf("test premise broken: the id %s was recorded", mt.Status.TemplateID)
	}

	f.startManager(fixtureOptions{})
	f.waitCondition(mt, "Submitted", metav1.ConditionTrue, "")
	if n := len(f.sim.Templates(wabaID)); n != 1 {
		t.Fatalf("templates at Meta = %d, want 1", n)
	}
	if n := f.sim.Calls(graphsim.EndpointCreateTemplate); n != 1 {
		t.Errorf("creates = %d, want 1 (after the restart the template is looked up, not created again)", n)
	}
	if id := f.sim.Templates(wabaID)[0].ID; mt.Status.TemplateID != id {
		t.Errorf("recorded id %s, Meta has %s", mt.Status.TemplateID, id)
	}
}

func TestDeletingATemplateMetaNoLongerHasSucceeds(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.readyProvider("acme")
	mt := f.template("gone-at-meta")
	f.waitCondition(mt, "Reconciling", metav1.ConditionTrue, "Pending")

	// Someone deletes it in WhatsApp Manager (pending: no 30-day name lock),
	// then the object is deleted: Meta's "does not exist" is success.
	resp, err := http.DefaultClient.Do(mustRequest(t, http.MethodDelete,
		fmt.Sprintf("%s/v25.0/%s/message_templates?name=gone_at_meta&hsm_id=%s", f.simURL, wabaID, mt.Status.TemplateID), f.token))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("out-of-band delete at Meta: %v %v", resp, err)
	}
	resp.Body.Close()
	ctx := context.Background()
	if err := f.c.Delete(ctx, mt); err != nil {
		t.Fatal(err)
	}
	f.eventually("the object is gone", func() bool { return f.c.Get(ctx, client.ObjectKeyFromObject(mt), mt) != nil })
	if e := f.waitEvent("gone-at-meta", "Deleting"); e.Type != "Normal" {
		t.Errorf("deletion event %s %q, want Normal", e.Type, e.Note)
	}
}

func mustRequest(t *testing.T, method, url, token string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}

func TestTemplateMetaRefusesIsStalledUntilTheSpecChanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.readyProvider("acme")
	f.sim.InjectFault(graphsim.Fault{Endpoint: graphsim.EndpointCreateTemplate, Kind: graphsim.FaultError, Status: 400, Code: 100, Subcode: 2388043,
		Message: "Invalid parameter: Message template variables can't be at the beginning or end."})
	mt := f.template("refused")
	f.waitCondition(mt, "Stalled", metav1.ConditionTrue, "TemplateInvalid")
	msg := condition(mt, "Submitted").Message
	if !strings.Contains(msg, "100") || !strings.Contains(msg, "2388043") || !strings.Contains(msg, "fbtrace_id") {
		t.Errorf("Submitted message lacks Meta's code, subcode or trace id: %s", msg)
	}
	if mt.Status.SubmitAttempts != 1 || mt.Status.LastSubmitFailureTime == nil {
		t.Errorf("attempts %d, last failure %v: the backoff must survive restarts in status", mt.Status.SubmitAttempts, mt.Status.LastSubmitFailureTime)
	}
	if got := kstatus(mt.Generation, mt.Status.ObservedGeneration, mt.Status.Conditions); got != "Failed" {
		t.Errorf("kstatus = %s, want Failed", got)
	}
	creates := f.sim.Calls(graphsim.EndpointCreateTemplate)
	f.requestReconcile(mt) // even when asked, and past the 5 s retry backoff
	time.Sleep(7 * time.Second)
	if n := f.sim.Calls(graphsim.EndpointCreateTemplate); n != creates {
		t.Errorf("a refused template was resubmitted without a spec change (%d → %d)", creates, n)
	}

	// A spec change resets the backoff and resubmits at once.
	f.sim.ClearFaults()
	f.get(mt)
	patch := client.MergeFrom(mt.DeepCopy())
	mt.Spec.Body.Text = "Hello {{1}}, order {{2}} has shipped today."
	if err := f.c.Patch(context.Background(), mt, patch); err != nil {
		t.Fatal(err)
	}
	f.waitCondition(mt, "Submitted", metav1.ConditionTrue, "")
	if mt.Status.SubmitAttempts != 0 {
		t.Errorf("attempts = %d after a successful submission, want 0", mt.Status.SubmitAttempts)
	}
}
