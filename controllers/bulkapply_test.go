package controllers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// bulkDeadline is issue 14's bound: a library of templates applied at
// once is submitted within a minute.
const bulkDeadline = time.Minute

// TestBulkApplyAtMetasPace applies 60 templates at once to a fresh WABA
// without a registered number (Meta's strictest budget: 200 management
// calls and 100 template creations an hour), with the client at its
// production budgets and the simulator enforcing Meta's. All are submitted
// within a minute and Meta refuses nothing.
func TestBulkApplyAtMetasPace(t *testing.T) {
	t.Parallel()
	const templates = 60
	f := newFixture(t, fixtureOptions{metaBudgets: true})
	if err := f.sim.UpdatePhoneNumber(phoneID, func(p *graphsim.PhoneNumber) { p.PlatformType = "NOT_APPLICABLE" }); err != nil {
		t.Fatal(err)
	}
	f.readyProvider("acme")
	start := time.Now()
	for i := range templates {
		f.template(fmt.Sprintf("bulk-%02d", i))
	}
	submitted := f.waitSubmitted(templates, start.Add(bulkDeadline))
	t.Logf("%d templates submitted in %s with %d Graph calls: %v", submitted, time.Since(start).Round(time.Millisecond), f.sim.TotalCalls(), f.sim.CallCounts())
	if submitted != templates {
		t.Fatalf("%d of %d templates submitted within %s", submitted, templates, bulkDeadline)
	}
	if n := f.sim.BudgetRefusals(); n != 0 {
		t.Errorf("Meta refused %d calls for its hourly budgets; the operator must stay within them", n)
	}
	if n := f.sim.Calls(graphsim.EndpointCreateTemplate); n != templates {
		t.Errorf("%d creations at Meta, want %d", n, templates)
	}
	var events eventsv1.EventList
	if err := f.c.List(context.Background(), &events, client.InNamespace(f.ns)); err != nil {
		t.Fatal(err)
	}
	for _, e := range events.Items {
		if e.Reason == whatsappv1alpha1.ReasonRateLimited || e.Reason == whatsappv1alpha1.ReasonWaitingForBudget {
			t.Errorf("no template waited for a budget: Event %s about %s: %s", e.Reason, e.Regarding.Name, e.Note)
		}
	}
}

// TestTemplateBudgetNamedInConditions applies 105 templates to a WABA with
// a registered number (5,000 management calls an hour, so only the
// template budget binds). Meta allows 100 creations an hour: the operator
// submits 100 and holds five back itself, and their conditions say it is
// the operator's hold on the 100-per-hour template budget, with Meta having
// refused nothing.
func TestTemplateBudgetNamedInConditions(t *testing.T) {
	t.Parallel()
	const templates, allowed = 105, 100
	f := newFixture(t, fixtureOptions{metaBudgets: true})
	f.readyProvider("acme")
	// The channel's phone listing tells the client the WABA has a
	// registered number.
	f.waitCondition(f.channel("support", phoneE164), "PhoneNumberVerified", metav1.ConditionTrue, "")
	start := time.Now()
	for i := range templates {
		f.template(fmt.Sprintf("lib-%03d", i))
	}
	held := 0
	f.eventuallyWithin("100 submitted and 5 held back", start.Add(bulkDeadline), func() bool {
		submitted, waiting := f.countTemplates(whatsappv1alpha1.ReasonWaitingForBudget)
		held = waiting
		return submitted == allowed && waiting == templates-allowed
	})
	var list whatsappv1alpha1.MessageTemplateList
	if err := f.c.List(context.Background(), &list, client.InNamespace(f.ns)); err != nil {
		t.Fatal(err)
	}
	for i := range list.Items {
		c := condition(&list.Items[i], "Ready")
		if c == nil || c.Reason != whatsappv1alpha1.ReasonWaitingForBudget {
			continue
		}
		for _, want := range []string{"held back by the operator", "100 templates", "Meta refused nothing"} {
			if !strings.Contains(c.Message, want) {
				t.Errorf("%s: the message must say %q: %s", list.Items[i].Name, want, c.Message)
			}
		}
		if s := condition(&list.Items[i], "Submitted"); s == nil || s.Status != metav1.ConditionFalse {
			t.Errorf("%s: a held template is not Submitted: %+v", list.Items[i].Name, s)
		}
	}
	if held != templates-allowed {
		t.Errorf("%d templates held back, want %d", held, templates-allowed)
	}
	if n := f.sim.BudgetRefusals(); n != 0 {
		t.Errorf("Meta refused %d calls; the operator's hold must come first", n)
	}
	if n := f.sim.Calls(graphsim.EndpointCreateTemplate); n != allowed {
		t.Errorf("%d creations reached Meta, want %d", n, allowed)
	}
}

// waitSubmitted polls until n templates of the namespace are Submitted or
// the deadline passes, and returns how many are.
func (f *fixture) waitSubmitted(n int, deadline time.Time) int {
	f.t.Helper()
	submitted := 0
	for {
		submitted, _ = f.countTemplates("")
		if submitted >= n || time.Now().After(deadline) {
			return submitted
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// countTemplates counts the namespace's templates that are Submitted, and
// those whose Ready condition carries reason (none when empty).
func (f *fixture) countTemplates(reason string) (submitted, withReason int) {
	var list whatsappv1alpha1.MessageTemplateList
	if err := f.c.List(context.Background(), &list, client.InNamespace(f.ns)); err != nil {
		f.t.Fatal(err)
	}
	for i := range list.Items {
		t := &list.Items[i]
		if c := condition(t, "Submitted"); c != nil && c.Status == metav1.ConditionTrue {
			submitted++
		}
		if c := condition(t, "Ready"); reason != "" && c != nil && c.Reason == reason {
			withReason++
		}
	}
	return submitted, withReason
}

// eventuallyWithin polls cond until it holds or deadline passes.
func (f *fixture) eventuallyWithin(what string, deadline time.Time, cond func() bool) {
	f.t.Helper()
	for !cond() {
		if time.Now().After(deadline) {
			f.t.Fatalf("timed out waiting for: %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
