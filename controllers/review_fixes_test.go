package controllers_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

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
	mt := f.template("imported")
	f.waitCondition(mt, "Ready", metav1.ConditionTrue, "")
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
