package controllers_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// seedApproved puts a template at Meta as if made by hand in WhatsApp
// Manager, with the components the default test template would send.
func seedApproved(t *testing.T, f *fixture, name string) graphsim.Template {
	t.Helper()
	comps, _ := json.Marshal([]map[string]any{{
		"type": "BODY", "text": "Hi {{1}}, your order {{2}} has shipped.",
		"example": map[string]any{"body_text": [][]string{{"John", "#4521"}}},
	}})
	tpl, err := f.sim.AddTemplate(wabaID, graphsim.Template{Name: name, Language: "en_US", Category: "UTILITY", Status: "APPROVED", ParameterFormat: "POSITIONAL", Components: comps})
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestAdoptedTemplateIsDeletedAtMetaWithTheObject(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.readyProvider("acme")
	seeded := seedApproved(t, f, "imported")
	mt := f.template("imported", adopt)
	f.waitCondition(mt, "Ready", metav1.ConditionTrue, "")
	f.waitEvent("imported", "Adopted")
	if mt.Status.TemplateID != seeded.ID {
		t.Fatalf("adopted id %s, Meta's is %s", mt.Status.TemplateID, seeded.ID)
	}
	for _, ep := range []string{graphsim.EndpointCreateTemplate, graphsim.EndpointEditTemplate} {
		if n := f.sim.Calls(ep); n != 0 {
			t.Errorf("%s called %d times to adopt a template Meta already holds as specified", ep, n)
		}
	}
	if !controllerutil.ContainsFinalizer(mt, whatsappv1alpha1.Finalizer) {
		t.Fatal("an adopted template with deletionPolicy Delete has no finalizer: deleting the object would leave it at Meta")
	}
	ctx := context.Background()
	if err := f.c.Delete(ctx, mt); err != nil {
		t.Fatal(err)
	}
	f.eventually("object gone", func() bool { return f.c.Get(ctx, client.ObjectKeyFromObject(mt), mt) != nil })
	if _, ok := f.sim.Template(seeded.ID); ok {
		t.Error("the adopted template is still at Meta after its object was deleted")
	}
}

func TestCreateRefusedForPermissionRetriesOnceFixed(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.readyProvider("acme")
	f.sim.InjectFault(graphsim.Fault{Endpoint: graphsim.EndpointCreateTemplate, Kind: graphsim.FaultError, Status: 403, Code: 200, Message: "(#200) Permissions error", Times: 1})
	mt := f.template("perm")
	f.waitCondition(mt, "Stalled", metav1.ConditionTrue, "MissingPermission")
	if c := condition(mt, "Submitted"); c == nil || c.Reason == "TemplateInvalid" {
		t.Errorf("a permission error is blamed on the template: %+v", c)
	}
	// The permission is granted at Meta; a reconcile request (or the next
	// sync) submits it, without a spec change.
	f.requestReconcile(mt)
	f.waitCondition(mt, "Submitted", metav1.ConditionTrue, "")
}

func TestTwoObjectsForOneTemplateConflict(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.readyProvider("acme")
	first := f.template("order-update")
	f.waitCondition(first, "Submitted", metav1.ConditionTrue, "")
	second := f.template("order-update-again", func(mt *whatsappv1alpha1.MessageTemplate) { mt.Spec.Name = "order_update" })
	f.waitCondition(second, "Stalled", metav1.ConditionTrue, "Conflict")
	if msg := condition(second, "Ready").Message; !strings.Contains(msg, "order-update") {
		t.Errorf("conflict message does not name the holder: %s", msg)
	}
	if n := f.sim.Calls(graphsim.EndpointEditTemplate); n != 0 {
		t.Errorf("the duplicate edited the template (%d edits)", n)
	}
	// Deleting the duplicate leaves the template the first one describes.
	ctx := context.Background()
	if err := f.c.Delete(ctx, second); err != nil {
		t.Fatal(err)
	}
	f.eventually("duplicate gone", func() bool { return f.c.Get(ctx, client.ObjectKeyFromObject(second), second) != nil })
	f.get(first)
	if _, ok := f.sim.Template(first.Status.TemplateID); !ok {
		t.Error("deleting the duplicate deleted the template the first object describes")
	}
}

func TestRemovedPublicURLClearsTheCallbackOverride(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	p := f.readyProvider("acme", func(p *whatsappv1alpha1.MetaProvider) {
		p.Spec.Webhook = &whatsappv1alpha1.ProviderWebhook{PublicURL: "https://wa.example.com/webhook"}
	})
	patch := client.MergeFrom(p.DeepCopy())
	p.Spec.Webhook.PublicURL = ""
	if err := f.c.Patch(context.Background(), p, patch); err != nil {
		t.Fatal(err)
	}
	f.eventually("override cleared at Meta", func() bool {
		subs := f.sim.Subscriptions(wabaID)
		return len(subs) == 1 && subs[0].OverrideCallbackURI == ""
	})
	f.waitCondition(p, "Ready", metav1.ConditionTrue, "")
}

func TestApprovedTemplateCategoryChangeSpendsNoEdit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{review: graphsim.Review{Status: "APPROVED"}, reviewDelay: 100 * time.Millisecond})
	f.readyProvider("acme")
	mt := f.template("order-update")
	f.waitCondition(mt, "Ready", metav1.ConditionTrue, "")
	patch := client.MergeFrom(mt.DeepCopy())
	mt.Spec.Category = whatsappv1alpha1.CategoryMarketing
	if err := f.c.Patch(context.Background(), mt, patch); err != nil {
		t.Fatal(err)
	}
	f.waitCondition(mt, "Ready", metav1.ConditionTrue, "")
	if msg := condition(mt, "Ready").Message; !strings.Contains(msg, "cannot change") {
		t.Errorf("Ready does not explain that an approved template's category cannot change: %s", msg)
	}
	if n := f.sim.Calls(graphsim.EndpointEditTemplate); n != 0 {
		t.Errorf("a category-only change of an approved template spent %d of Meta's edits", n)
	}
}

func TestProviderDeletionWaitsForItsTemplates(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	p := f.readyProvider("acme")
	mt := f.template("order-update")
	f.waitCondition(mt, "Submitted", metav1.ConditionTrue, "")
	id := mt.Status.TemplateID

	// kubectl delete -f dir/ (or an Argo CD prune) deletes both at once.
	ctx := context.Background()
	for _, o := range []client.Object{p, mt} {
		if err := f.c.Delete(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	f.eventually("both gone", func() bool {
		return f.c.Get(ctx, client.ObjectKeyFromObject(p), p) != nil && f.c.Get(ctx, client.ObjectKeyFromObject(mt), mt) != nil
	})
	if _, ok := f.sim.Template(id); ok {
		t.Error("the template was left at Meta: the provider went before its template could use its credentials")
	}
}

func TestChangedVerifyTokenRegistersTheCallbackAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	p := f.readyProvider("acme", func(p *whatsappv1alpha1.MetaProvider) {
		p.Spec.Webhook = &whatsappv1alpha1.ProviderWebhook{PublicURL: "https://wa.example.com/webhook"}
	})
	before := p.Status.Webhook.CallbackFingerprint
	if subs := f.sim.Subscriptions(wabaID); len(subs) != 1 || subs[0].VerifyToken != f.verify || before == "" {
		t.Fatalf("premise: subscriptions %+v, fingerprint %q", subs, before)
	}
	calls := f.sim.Calls(graphsim.EndpointSubscribeApp)

	// The verify token is rotated; publicURL stays. Meta never echoes the
	// token, so only the operator knows the registered one is stale.
	newVerify := "verify-rotated-" + f.verify
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "acme-meta", Namespace: f.ns}}
	f.get(s)
	patch := client.MergeFrom(s.DeepCopy())
	s.Data["verifyToken"] = []byte(newVerify)
	if err := f.c.Patch(context.Background(), s, patch); err != nil {
		t.Fatal(err)
	}
	f.eventually("the override registered again with the new token", func() bool {
		subs := f.sim.Subscriptions(wabaID)
		return len(subs) == 1 && subs[0].VerifyToken == newVerify && subs[0].OverrideCallbackURI == "https://wa.example.com/webhook"
	})
	if n := f.sim.Calls(graphsim.EndpointSubscribeApp); n != calls+1 {
		t.Errorf("subscribe calls %d → %d, want one more", calls, n)
	}
	f.waitCondition(p, "Ready", metav1.ConditionTrue, "")
	f.eventually("fingerprint recorded", func() bool {
		f.get(p)
		return p.Status.Webhook.CallbackFingerprint != before && p.Status.Webhook.CallbackFingerprint != ""
	})
	if fp := p.Status.Webhook.CallbackFingerprint; strings.Contains(fp, newVerify) || strings.Contains(fp, f.verify) {
		t.Errorf("the fingerprint shows the token: %s", fp)
	}
}

func TestProfileSpecOwnsTheFieldsItManages(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.readyProvider("acme")
	// A profile filled in by hand in WhatsApp Manager.
	if err := f.sim.SetProfile(phoneID, graphsim.BusinessProfile{
		About: "Old about", Address: "1 Old St", Description: "Old description", Email: "old@acme.example",
		Vertical: "RETAIL", Websites: []string{"https://old.acme.example"},
	}); err != nil {
		t.Fatal(err)
	}
	ch := f.channel("support-us", phoneE164, func(c *whatsappv1alpha1.WhatsAppChannel) {
		c.Spec.Profile = &whatsappv1alpha1.BusinessProfile{About: "We answer within minutes", Email: "support@acme.example"}
	})
	f.waitCondition(ch, "ProfileSynced", metav1.ConditionTrue, "Succeeded")
	got, _ := f.sim.Profile(phoneID)
	want := graphsim.BusinessProfile{About: "We answer within minutes", Email: "support@acme.example", Vertical: "RETAIL"}
	if got.About != want.About || got.Email != want.Email || got.Address != "" || got.Description != "" || len(got.Websites) != 0 || got.Vertical != want.Vertical {
		t.Errorf("profile at Meta = %+v, want %+v: address, description and websites absent from the spec are cleared; vertical, which Meta cannot clear, is kept", got, want)
	}

	// A field removed from the spec is cleared at Meta.
	f.get(ch)
	patch := client.MergeFrom(ch.DeepCopy())
	ch.Spec.Profile.Email = ""
	if err := f.c.Patch(context.Background(), ch, patch); err != nil {
		t.Fatal(err)
	}
	f.eventually("email cleared at Meta", func() bool { p, _ := f.sim.Profile(phoneID); return p.Email == "" && p.About == want.About })

	// Without spec.profile the profile is not managed: edits by hand stay.
	f.get(ch)
	patch = client.MergeFrom(ch.DeepCopy())
	ch.Spec.Profile = nil
	if err := f.c.Patch(context.Background(), ch, patch); err != nil {
		t.Fatal(err)
	}
	f.waitCondition(ch, "ProfileSynced", metav1.ConditionTrue, "NotManaged")
	if err := f.sim.SetProfile(phoneID, graphsim.BusinessProfile{About: "By hand", Description: "Set in WhatsApp Manager"}); err != nil {
		t.Fatal(err)
	}
	updates := f.sim.Calls(graphsim.EndpointUpdateBusinessProfile)
	v := f.requestReconcile(ch)
	f.eventually("request handled", func() bool { f.get(ch); return ch.Status.LastHandledReconcileAt == v })
	if p, _ := f.sim.Profile(phoneID); p.Description != "Set in WhatsApp Manager" || f.sim.Calls(graphsim.EndpointUpdateBusinessProfile) != updates {
		t.Errorf("an unmanaged profile was changed: %+v", p)
	}
}
