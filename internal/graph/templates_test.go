package graph_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

func seedTemplate(t *testing.T, sim *graphsim.Server, name, lang, status string) graphsim.Template {
	t.Helper()
	tpl, err := sim.AddTemplate(wabaID, graphsim.Template{Name: name, Language: lang, Category: "UTILITY", Status: status})
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestTemplateLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := e.client
	spec := graph.TemplateSpec{
		Name: "order_update", Language: "en_US", Category: graph.CategoryUtility,
		Components: []graph.Component{
			{Type: "HEADER", Format: "TEXT", Text: "Order {{1}}", Example: &graph.ComponentExample{HeaderText: []string{"#4521"}}},
			{Type: "BODY", Text: "Hi {{1}}, order {{2}} shipped.", Example: &graph.ComponentExample{BodyText: [][]string{{"John", "#4521"}}}},
			{Type: "BUTTONS", Buttons: []graph.Button{{Type: "URL", Text: "Open", URL: "https://acme.example/o/{{1}}", Example: []string{"https://acme.example/o/4521"}}}},
		},
	}
	created, err := c.CreateTemplate(ctx, wabaID, spec)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if created.Status != graph.TemplatePending || created.Category != "UTILITY" || created.ID == "" {
		t.Errorf("a new template is PENDING with an id, got %+v", created)
	}

	got, err := c.GetTemplate(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := &graph.Template{ID: created.ID, Name: "order_update", Language: "en_US", Status: "PENDING", Category: "UTILITY",
		QualityScore: "UNKNOWN", ParameterFormat: "POSITIONAL", Components: spec.Components}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the template read back should equal what was submitted: -want +got:\n%s", diff)
	}

	if err := e.sim.SetTemplateStatus(created.ID, "REJECTED", "INVALID_FORMAT"); err != nil {
		t.Fatal(err)
	}
	found, err := c.FindTemplate(ctx, wabaID, "order_update", "en_US")
	if err != nil || found == nil || found.Status != "REJECTED" || found.RejectedReason != "INVALID_FORMAT" {
		t.Fatalf("find should see the rejection and its reason, got %+v, %v", found, err)
	}

	if err := c.EditTemplate(ctx, created.ID, graph.TemplateEdit{Components: bodyComponents("Hello {{1}}")}); err != nil {
		t.Fatalf("a rejected template can be edited: %v", err)
	}
	if tpl, _ := e.sim.Template(created.ID); tpl.Status != "PENDING" {
		t.Errorf("an edit goes back to review, got %s", tpl.Status)
	}

	if err := c.DeleteTemplate(ctx, wabaID, "order_update", created.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if found, err := c.FindTemplate(ctx, wabaID, "order_update", "en_US"); err != nil || found != nil {
		t.Errorf("deleted template should be absent (nil, nil), got %+v, %v", found, err)
	}
}

func TestFindTemplateExactMatch(t *testing.T) {
	e := newEnv(t)
	for _, nl := range [][2]string{{"order_update_v2", "en_US"}, {"order_update", "en"}, {"order_update", "en_US"}, {"big_order_update", "en_US"}} {
		seedTemplate(t, e.sim, nl[0], nl[1], "APPROVED")
	}
	cases := map[string]struct {
		reason         string
		name, language string
		wantFound      bool
	}{
		"ExactNameAndLanguage": {reason: "substring matches and other languages are skipped", name: "order_update", language: "en_US", wantFound: true},
		"OtherLanguage":        {reason: "the same name in another language is its own template", name: "order_update", language: "en", wantFound: true},
		"MissingLanguage":      {reason: "a name without that language is absent", name: "order_update", language: "pt_BR"},
		"PrefixOnly":           {reason: "a prefix of existing names is absent", name: "order", language: "en_US"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := e.client.FindTemplate(context.Background(), wabaID, tc.name, tc.language)
			if err != nil {
				t.Fatal(err)
			}
			if (got != nil) != tc.wantFound {
				t.Fatalf("%s: found=%v, want %v", tc.reason, got != nil, tc.wantFound)
			}
			if got != nil && (got.Name != tc.name || got.Language != tc.language) {
				t.Errorf("%s: got %s/%s", tc.reason, got.Name, got.Language)
			}
		})
	}
}

func TestDeleteTemplate(t *testing.T) {
	ctx := context.Background()
	cases := map[string]struct {
		reason    string
		id        func(graphsim.Template) string
		wantErr   bool
		wantCalls int
		wantLeft  []string
	}{
		"ByHSMID": {
			reason: "only the given language goes; the other language of the name stays",
			id:     func(t graphsim.Template) string { return t.ID }, wantCalls: 1, wantLeft: []string{"en"},
		},
		"AlreadyGone": {
			reason: "Meta's not-found on delete is success",
			id:     func(graphsim.Template) string { return "999999" }, wantCalls: 1, wantLeft: []string{"en", "en_US"},
		},
		"NoID": {
			reason: "without hsm_id the client refuses: by name alone Meta deletes every language",
			id:     func(graphsim.Template) string { return "" }, wantErr: true, wantCalls: 0, wantLeft: []string{"en", "en_US"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			seedTemplate(t, e.sim, "promo", "en", "APPROVED")
			target := seedTemplate(t, e.sim, "promo", "en_US", "APPROVED")
			err := e.client.DeleteTemplate(ctx, wabaID, "promo", tc.id(target))
			if (err != nil) != tc.wantErr {
				t.Fatalf("%s: err=%v, wantErr %v", tc.reason, err, tc.wantErr)
			}
			if n := e.sim.Calls(graphsim.EndpointDeleteTemplate); n != tc.wantCalls {
				t.Errorf("%s: %d delete calls, want %d", tc.reason, n, tc.wantCalls)
			}
			var left []string
			for _, tpl := range e.sim.Templates(wabaID) {
				left = append(left, tpl.Language)
			}
			if diff := cmp.Diff(tc.wantLeft, left); diff != "" {
				t.Errorf("%s: languages left -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCreateDuplicateTemplate(t *testing.T) {
	e := newEnv(t)
	seedTemplate(t, e.sim, "welcome", "en", "APPROVED")
	_, err := e.client.CreateTemplate(context.Background(), wabaID, graph.TemplateSpec{Name: "welcome", Language: "en", Category: "UTILITY", Components: bodyComponents("Hi")})
	if !graph.IsTemplateExists(err) || graph.Classify(err) != graph.ClassTemplate {
		t.Fatalf("a duplicate name+language is refused with 100/2388024, got %v (class %s)", err, graph.Classify(err))
	}
}

func TestEditBudget(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	e := newEnv(t, withClock(clock), withLimits(graph.Limits{ManagementPerHour: 100000}))
	tpl := seedTemplate(t, e.sim, "budget", "en", "APPROVED")
	edit := graph.TemplateEdit{Components: bodyComponents("v2")}

	// Learn the status, then spend the one edit of the day.
	if _, err := e.client.GetTemplate(ctx, tpl.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.client.EditTemplate(ctx, tpl.ID, edit); err != nil {
		t.Fatalf("first edit of an approved template: %v", err)
	}
	if err := e.sim.SetTemplateStatus(tpl.ID, "APPROVED", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.GetTemplate(ctx, tpl.ID); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)

	err := e.client.EditTemplate(ctx, tpl.ID, edit)
	var le *graph.LimitError
	if !errors.As(err, &le) || !errors.Is(err, graph.ErrEditBudgetExhausted) || graph.Classify(err) != graph.ClassRateLimited {
		t.Fatalf("the client should refuse the second edit within 24h locally, got %v", err)
	}
	if ra := graph.RetryAfter(err); ra != 23*time.Hour {
		t.Errorf("RetryAfter should be when the 24h window ends (23h), got %s", ra)
	}
	if n := e.sim.Calls(graphsim.EndpointEditTemplate); n != 1 {
		t.Errorf("a local refusal makes no call, got %d edit calls", n)
	}

	// A client that does not know the history reaches Meta, which refuses
	// with its own error; that is recognised the same way.
	fresh := graph.New(e.cfg, testToken)
	err = fresh.EditTemplate(ctx, tpl.ID, edit)
	if !errors.Is(err, graph.ErrEditBudgetExhausted) || graph.Classify(err) != graph.ClassRateLimited || graph.RetryAfter(err) != 24*time.Hour {
		t.Fatalf("Meta's edit-limit answer should classify as rate limited with a 24h wait, got %v", err)
	}
	err = fresh.EditTemplate(ctx, tpl.ID, edit)
	if !errors.As(err, &le) {
		t.Errorf("after Meta's refusal the client holds edits back locally, got %v", err)
	}
	if n := e.sim.Calls(graphsim.EndpointEditTemplate); n != 2 {
		t.Errorf("want 2 edit calls at Meta, got %d", n)
	}
}

func TestTemplateCreateNeverRetried(t *testing.T) {
	e := newEnv(t)
	e.sim.InjectFault(graphsim.Fault{Endpoint: graphsim.EndpointCreateTemplate, Kind: graphsim.FaultServerError, Status: 503, Times: 1})
	_, err := e.client.CreateTemplate(context.Background(), wabaID, graph.TemplateSpec{Name: "x", Language: "en", Category: "UTILITY", Components: bodyComponents("Hi")})
	if graph.Classify(err) != graph.ClassTransient {
		t.Fatalf("a 503 is transient, got %v", err)
	}
	if n := e.sim.Calls(graphsim.EndpointCreateTemplate); n != 1 {
		t.Errorf("a template create must never be re-POSTed blindly, got %d calls", n)
	}
}

func TestManyTemplatesSorted(t *testing.T) {
	e := newEnv(t)
	for i := range 5 {
		seedTemplate(t, e.sim, fmt.Sprintf("t_%d", i), "en", "APPROVED")
	}
	list, err := e.client.ListTemplates(context.Background(), wabaID, graph.TemplateFilter{Status: "APPROVED"})
	if err != nil || len(list) != 5 {
		t.Fatalf("status filter: got %d, %v", len(list), err)
	}
}

// TestDeleteTemplateRefused: code 100 is both Meta's "does not exist" and
// how it refuses a delete; only the first counts as deleted.
func TestDeleteTemplateRefused(t *testing.T) {
	ctx := context.Background()
	const code100 = "(#100) Invalid parameter"
	cases := map[string]struct {
		reason   string
		status   string
		fault    *graphsim.Fault
		gone     bool // delete an id Meta does not know
		wantErr  bool
		wantLeft int
	}{
		"Disabled": {
			reason: "Meta refuses to delete a DISABLED template with code 100: that is an error, not 'already deleted'",
			status: "DISABLED", wantErr: true, wantLeft: 1,
		},
		"RefusedStillThere": {
			reason: "a code-100 refusal without 'does not exist' wording is an error while a GET still finds the template",
			status: "APPROVED", fault: &graphsim.Fault{Endpoint: graphsim.EndpointDeleteTemplate, Kind: graphsim.FaultError, Code: 100, Message: code100, Times: 1},
			wantErr: true, wantLeft: 1,
		},
		"RefusedButGone": {
			reason: "a code-100 answer is success when a GET confirms the template does not exist",
			status: "APPROVED", gone: true, fault: &graphsim.Fault{Endpoint: graphsim.EndpointDeleteTemplate, Kind: graphsim.FaultError, Code: 100, Message: code100, Times: 1},
			wantLeft: 1,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			tpl := seedTemplate(t, e.sim, "promo", "en_US", tc.status)
			if tc.fault != nil {
				e.sim.InjectFault(*tc.fault)
			}
			id := tpl.ID
			if tc.gone {
				id = "999999"
			}
			err := e.client.DeleteTemplate(ctx, wabaID, "promo", id)
			if (err != nil) != tc.wantErr {
				t.Fatalf("%s: err=%v, wantErr %v", tc.reason, err, tc.wantErr)
			}
			if n := len(e.sim.Templates(wabaID)); n != tc.wantLeft {
				t.Errorf("%s: %d templates left, want %d", tc.reason, n, tc.wantLeft)
			}
		})
	}
}
