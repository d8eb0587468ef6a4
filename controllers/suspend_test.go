package controllers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
	"github.com/kubechat/whatsapp-operator/internal/webhookresources"
)

// Suspension (spec.suspend, decision 027): a suspended object costs no
// Graph call and changes nothing, whatever happens to its spec, its
// reconcile-request annotation or its inputs; Ready keeps its status with
// reason Suspended (so traffic carries on) and kstatus reads it Current;
// resuming applies what changed meanwhile.

// statusHolder is an object of this API as the tests read it.
type statusHolder interface {
	conditioned
	GetReconcileStatus() *whatsappv1alpha1.ReconcileStatus
}

// setSuspend patches spec.suspend as `kubectl patch --type merge` would.
func (f *fixture) setSuspend(obj client.Object, suspend bool) {
	f.t.Helper()
	patch := []byte(fmt.Sprintf(`{"spec":{"suspend":%t}}`, suspend))
	if err := f.c.Patch(context.Background(), obj, client.RawPatch(types.MergePatchType, patch)); err != nil {
		f.t.Fatal(err)
	}
}

// waitSuspended waits until obj reads suspended for its current generation
// with Ready kept at ready, and checks what every reader sees then: no
// work under way, and kstatus reading the kept Ready (Current when it was
// True, InProgress when it was Unknown), not a generation left behind.
func (f *fixture) waitSuspended(obj statusHolder, ready metav1.ConditionStatus) {
	f.t.Helper()
	f.waitCondition(obj, "Ready", ready, whatsappv1alpha1.ReasonSuspended)
	if c := condition(obj, "Reconciling"); c != nil {
		f.t.Errorf("Reconciling present on a suspended object: %+v", c)
	}
	rs := obj.GetReconcileStatus()
	want := map[metav1.ConditionStatus]string{metav1.ConditionTrue: "Current", metav1.ConditionUnknown: "InProgress"}[ready]
	if rs.ObservedGeneration != obj.GetGeneration() {
		f.t.Errorf("status.observedGeneration %d, want %d: a suspended spec is fully handled", rs.ObservedGeneration, obj.GetGeneration())
	}
	if got := kstatus(obj.GetGeneration(), rs.ObservedGeneration, obj.GetConditions()); got != want {
		f.t.Errorf("kstatus of suspended %s = %s (generation %d, observed %d), want %s", obj.GetName(), got, obj.GetGeneration(), rs.ObservedGeneration, want)
	}
	if msg := condition(obj, "Ready").Message; !strings.Contains(msg, "spec.suspend") {
		f.t.Errorf("Ready's message does not say why nothing happens: %s", msg)
	}
}

// waitHandled waits until the operator handled obj's current generation
// and the reconcile request v: both are mirrored in status, so any Graph
// call that reconcile would have made has been made.
func (f *fixture) waitHandled(obj statusHolder, v string) {
	f.t.Helper()
	f.eventually("generation and reconcile request handled", func() bool {
		f.get(obj)
		rs := obj.GetReconcileStatus()
		return rs.ObservedGeneration == obj.GetGeneration() && rs.LastHandledReconcileAt == v
	})
}

// noGraphCalls fails when the simulator counted any call since its reset.
func (f *fixture) noGraphCalls(while string) {
	f.t.Helper()
	if n := f.sim.TotalCalls(); n != 0 {
		f.t.Errorf("%d Graph API call(s) while %s: %v", n, while, f.sim.CallCounts())
	}
}

func TestSuspendedProviderMakesNoCallAndNoChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	p := f.readyProvider("acme")

	f.setSuspend(p, true)
	f.waitSuspended(p, metav1.ConditionTrue)
	if e := f.waitEvent("acme", whatsappv1alpha1.ReasonSuspended); e.Type != corev1.EventTypeNormal {
		t.Errorf("Suspended Event is %s, want Normal: the user asked for it", e.Type)
	}

	// What would cost calls and change the cluster on a live provider:
	// a new replica count, a rotated token, a request for a fresh look.
	f.sim.ResetCalls()
	patch := client.MergeFrom(p.DeepCopy())
	three := int32(3)
	p.Spec.Webhook = &whatsappv1alpha1.ProviderWebhook{Replicas: &three}
	if err := f.c.Patch(context.Background(), p, patch); err != nil {
		t.Fatal(err)
	}
	secret := &corev1.Secret{}
	if err := f.c.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: "acme-meta"}, secret); err != nil {
		t.Fatal(err)
	}
	secret.StringData = map[string]string{"verifyToken": "rotated-while-suspended"}
	if err := f.c.Update(context.Background(), secret); err != nil {
		t.Fatal(err)
	}
	f.waitHandled(p, f.requestReconcile(p))
	f.waitSuspended(p, metav1.ConditionTrue)
	f.noGraphCalls("the provider is suspended")
	dep := &appsv1.Deployment{}
	if err := f.c.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: webhookresources.Name("acme")}, dep); err != nil {
		t.Fatal(err)
	}
	if *dep.Spec.Replicas != 1 {
		t.Errorf("webhook Deployment scaled to %d while the provider is suspended", *dep.Spec.Replicas)
	}

	// Resuming applies the spec and checks Meta again at once.
	f.setSuspend(p, false)
	f.eventually("webhook Deployment scaled to 3 after resume", func() bool {
		return f.c.Get(context.Background(), client.ObjectKeyFromObject(dep), dep) == nil && *dep.Spec.Replicas == 3
	})
	f.markWebhookReady("acme")
	f.waitCondition(p, "Ready", metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded)
	if n := f.sim.Calls(graphsim.EndpointGetBusinessAccount); n == 0 {
		t.Errorf("resumed provider did not check its token against the WABA: %v", f.sim.CallCounts())
	}
}

func TestSuspendedChannelMakesNoCallAndKeepsRouting(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	p := f.readyProvider("acme")
	ch := f.channel("support", phoneE164, func(c *whatsappv1alpha1.WhatsAppChannel) {
		c.Spec.Profile = &whatsappv1alpha1.BusinessProfile{About: "Before the freeze"}
	})
	f.waitCondition(ch, "Ready", metav1.ConditionTrue, "")
	// The provider is suspended first, so that every call counted below
	// could only come from the channel. It stays suspended: its channels
	// work on under a suspended provider.
	f.setSuspend(p, true)
	f.waitSuspended(p, metav1.ConditionTrue)

	f.setSuspend(ch, true)
	f.waitSuspended(ch, metav1.ConditionTrue)
	// What the webhook server and the relay read: the number is still
	// this channel's, Ready, routed.
	for _, ct := range []string{"Routed", "PhoneNumberVerified"} {
		if c := condition(ch, ct); c == nil || c.Status != metav1.ConditionTrue {
			t.Errorf("%s = %+v on a suspended channel, want True kept", ct, c)
		}
	}
	if ch.Status.PhoneNumberID != phoneID {
		t.Errorf("status.phoneNumberID = %q, want %q kept", ch.Status.PhoneNumberID, phoneID)
	}

	f.sim.ResetCalls()
	patch := client.MergeFrom(ch.DeepCopy())
	ch.Spec.Profile.About = "After the freeze"
	if err := f.c.Patch(context.Background(), ch, patch); err != nil {
		t.Fatal(err)
	}
	f.waitHandled(ch, f.requestReconcile(ch))
	f.waitSuspended(ch, metav1.ConditionTrue)
	f.noGraphCalls("the channel and its provider are suspended")
	if bp, _ := f.sim.Profile(phoneID); bp.About != "Before the freeze" {
		t.Errorf("profile at Meta changed to %q while the channel is suspended", bp.About)
	}

	f.setSuspend(ch, false)
	f.waitCondition(ch, "Ready", metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded)
	if bp, _ := f.sim.Profile(phoneID); bp.About != "After the freeze" {
		t.Errorf("profile at Meta = %q after resume, want the spec's", bp.About)
	}
	if n := f.sim.Calls(graphsim.EndpointUpdateBusinessProfile); n != 1 {
		t.Errorf("profile updates after resume = %d, want 1", n)
	}
}

func TestSuspendedTemplateIsNeitherEditedNorReadAndResumes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{review: graphsim.Review{Status: "APPROVED"}, reviewDelay: 100 * time.Millisecond})
	p := f.readyProvider("acme")
	mt := f.template("order-update")
	f.waitCondition(mt, "Ready", metav1.ConditionTrue, "")
	f.setSuspend(p, true)
	f.waitSuspended(p, metav1.ConditionTrue)

	f.setSuspend(mt, true)
	f.waitSuspended(mt, metav1.ConditionTrue)

	f.sim.ResetCalls()
	patch := client.MergeFrom(mt.DeepCopy())
	mt.Spec.Body.Text = "Hello {{1}}, order {{2}} is on its way to you."
	if err := f.c.Patch(context.Background(), mt, patch); err != nil {
		t.Fatal(err)
	}
	f.waitHandled(mt, f.requestReconcile(mt))
	f.waitSuspended(mt, metav1.ConditionTrue)
	f.noGraphCalls("the template and its provider are suspended")
	live, _ := f.sim.Template(mt.Status.TemplateID)
	if strings.Contains(string(live.Components), "on its way") {
		t.Errorf("template edited at Meta while suspended: %s", live.Components)
	}

	f.setSuspend(mt, false)
	f.waitCondition(mt, "Ready", metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded)
	if n := f.sim.Calls(graphsim.EndpointEditTemplate); n != 1 {
		t.Errorf("edits after resume = %d, want 1", n)
	}
	live, _ = f.sim.Template(mt.Status.TemplateID)
	if !strings.Contains(string(live.Components), "on its way to you") {
		t.Errorf("the edit made while suspended did not reach Meta on resume: %s", live.Components)
	}
}

func TestSuspendDoesNotHoldDeletionAndCreatedSuspendedIsNotSubmitted(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{review: graphsim.Review{Status: "APPROVED"}, reviewDelay: 100 * time.Millisecond})
	f.readyProvider("acme")
	mt := f.template("order-update")
	f.waitCondition(mt, "Ready", metav1.ConditionTrue, "")
	id := mt.Status.TemplateID

	later := f.template("later", func(mt *whatsappv1alpha1.MessageTemplate) { mt.Spec.Suspend = true })
	f.waitSuspended(later, metav1.ConditionUnknown)
	if msg := condition(later, "Ready").Message; !strings.Contains(msg, "Not reconciled yet") {
		t.Errorf("a template created suspended claims a state it never had: %s", msg)
	}
	if got := f.sim.Templates(wabaID); len(got) != 1 {
		t.Errorf("templates at Meta = %d, want only order_update: a template created suspended was submitted", len(got))
	}

	// Deletion is not suspended (Flux's convention): deletionPolicy
	// Delete still removes the template at Meta.
	f.setSuspend(mt, true)
	f.waitSuspended(mt, metav1.ConditionTrue)
	if err := f.c.Delete(context.Background(), mt); err != nil {
		t.Fatal(err)
	}
	f.eventually("suspended template released", func() bool {
		return f.c.Get(context.Background(), client.ObjectKeyFromObject(mt), mt) != nil
	})
	if _, ok := f.sim.Template(id); ok {
		t.Errorf("deleting a suspended template with deletionPolicy Delete left it at Meta")
	}
}
