package controllers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// Deleting a provider alone (its templates stay, to be moved to another
// provider or deleted later) does not wait for templates nobody deletes:
// the provider goes, and its templates stay at Meta.
func TestProviderDeletionDoesNotWaitForTemplatesThatStay(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	p := f.readyProvider("acme")
	mt := f.template("order-update") // deletionPolicy Delete (the default)
	f.waitCondition(mt, "Submitted", metav1.ConditionTrue, "")

	ctx := context.Background()
	if err := f.c.Delete(ctx, p); err != nil {
		t.Fatal(err)
	}
	f.eventually("the provider is gone", func() bool { return f.c.Get(ctx, client.ObjectKeyFromObject(p), p) != nil })
	f.get(mt)
	if !mt.DeletionTimestamp.IsZero() {
		t.Error("the template is being deleted; only its provider was")
	}
	if _, ok := f.sim.Template(mt.Status.TemplateID); !ok {
		t.Error("the template is gone from Meta; only its provider was deleted")
	}
}

// A provider waiting for a template that cannot reach Meta yet says so
// once, not at every look: it looks again with a growing delay, and its
// status is written only when what it says changes. Once the template is
// deleted at Meta, the provider goes at once.
func TestDeletingProviderWritesItsStatusOnlyWhenItChanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	p := f.readyProvider("acme")
	mt := f.template("order-update")
	f.waitCondition(mt, "Submitted", metav1.ConditionTrue, "")
	f.sim.InjectFault(graphsim.Fault{Endpoint: graphsim.EndpointDeleteTemplate, Kind: graphsim.FaultServerError})

	ctx := context.Background()
	for _, o := range []client.Object{mt, p} {
		if err := f.c.Delete(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	f.waitCondition(p, "Reconciling", metav1.ConditionTrue, "Deleting")
	statusPath := fmt.Sprintf("/namespaces/%s/metaproviders/acme/status", f.ns)
	writes := f.writes.count(statusPath)
	// Watch for a while that a provider polling every 2 s would have
	// written its status three times over.
	waitStart := time.Now()
	f.eventually("7 s of waiting", func() bool { return time.Since(waitStart) > 7*time.Second })
	if extra := f.writes.count(statusPath) - writes; extra > 0 {
		t.Errorf("the waiting provider wrote its unchanged status %d more time(s)", extra)
	}
	if n := f.sim.Calls(graphsim.EndpointDeleteTemplate); n < 2 {
		t.Fatalf("the template tried to delete itself at Meta %d time(s); the test needs it stuck and retrying", n)
	}

	f.sim.ClearFaults()
	f.eventually("both gone", func() bool {
		return f.c.Get(ctx, client.ObjectKeyFromObject(p), p) != nil && f.c.Get(ctx, client.ObjectKeyFromObject(mt), mt) != nil
	})
	if _, ok := f.sim.Template(mt.Status.TemplateID); ok {
		t.Error("the template is still at Meta")
	}
}
