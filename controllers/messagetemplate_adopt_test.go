package controllers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// adopt sets the adopt annotation on a MessageTemplate.
func adopt(mt *whatsappv1alpha1.MessageTemplate) {
	mt.SetAnnotations(map[string]string{whatsappv1alpha1.AdoptAnnotation: "true"})
}

// A template made by hand in WhatsApp Manager (or by another tool, or by
// another team sharing the WABA) that happens to have the name and language
// of a new MessageTemplate is not taken over: it is neither edited nor
// deleted at Meta, and the object says how to adopt it. Adopting is one
// annotation; deleting an object that never adopted leaves the template.
func TestTemplateAtMetaIsAdoptedOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.readyProvider("acme")
	comps, _ := json.Marshal([]map[string]any{{"type": "BODY", "text": "Made by hand in WhatsApp Manager."}})
	handMade, err := f.sim.AddTemplate(wabaID, graphsim.Template{Name: "order_update", Language: "en_US", Category: "UTILITY", Status: "APPROVED", ParameterFormat: "POSITIONAL", Components: comps})
	if err != nil {
		t.Fatal(err)
	}
	kept, err := f.sim.AddTemplate(wabaID, graphsim.Template{Name: "kept", Language: "en_US", Category: "UTILITY", Status: "APPROVED", ParameterFormat: "POSITIONAL", Components: comps})
	if err != nil {
		t.Fatal(err)
	}

	mt := f.template("order-update") // a different body: adopting means an edit
	f.waitCondition(mt, "Stalled", metav1.ConditionTrue, "AdoptionRequired")
	msg := condition(mt, "Ready").Message
	for _, want := range []string{handMade.ID, whatsappv1alpha1.AdoptAnnotation, "spec.name"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the message lacks %q: %s", want, msg)
		}
	}
	if mt.Status.TemplateID != "" {
		t.Errorf("status records %s as this object's", mt.Status.TemplateID)
	}
	for _, ep := range []string{graphsim.EndpointCreateTemplate, graphsim.EndpointEditTemplate} {
		if n := f.sim.Calls(ep); n != 0 {
			t.Errorf("%s called %d times for a template nobody asked to adopt", ep, n)
		}
	}

	// Asked: adopted, edited to the spec.
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:"true"}}}`, whatsappv1alpha1.AdoptAnnotation)
	if err := f.c.Patch(context.Background(), mt, client.RawPatch("application/merge-patch+json", []byte(patch))); err != nil {
		t.Fatal(err)
	}
	f.waitCondition(mt, "Submitted", metav1.ConditionTrue, "")
	if mt.Status.TemplateID != handMade.ID {
		t.Errorf("adopted id %q, Meta's is %s", mt.Status.TemplateID, handMade.ID)
	}
	f.waitEvent("order-update", "Adopted")
	if n := f.sim.Calls(graphsim.EndpointEditTemplate); n != 1 {
		t.Errorf("edits = %d, want 1 (the adopted template follows the spec)", n)
	}

	// Never adopted, then deleted: the template stays at Meta.
	other := f.template("kept")
	f.waitCondition(other, "Stalled", metav1.ConditionTrue, "AdoptionRequired")
	ctx := context.Background()
	if err := f.c.Delete(ctx, other); err != nil {
		t.Fatal(err)
	}
	f.eventually("object gone", func() bool { return f.c.Get(ctx, client.ObjectKeyFromObject(other), other) != nil })
	if _, ok := f.sim.Template(kept.ID); !ok {
		t.Error("deleting an object that never adopted the template deleted it at Meta")
	}
	if n := f.sim.Calls(graphsim.EndpointDeleteTemplate); n != 0 {
		t.Errorf("template deletions at Meta = %d, want 0", n)
	}
}
