package graphsim_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

const templatesPath = "/v25.0/" + wabaID + "/message_templates"

func TestCreateTemplate(t *testing.T) {
	cases := map[string]struct {
		reason      string
		setup       func(*testing.T, *simEnv)
		body        map[string]any
		wantStatus  int
		wantCode    int
		wantSubcode int
		wantTitle   string
	}{
		"Created": {
			reason: "a valid template is stored PENDING", body: createBody("order_update", "en_US"), wantStatus: 200,
		},
		"OtherLanguage": {
			reason: "the same name in another language is another template",
			setup: func(t *testing.T, e *simEnv) {
				e.call(t, http.MethodPost, templatesPath, token, createBody("order_update", "en"))
			},
			body: createBody("order_update", "en_US"), wantStatus: 200,
		},
		"Duplicate": {
			reason: "the same name and language is refused with 100/2388024",
			setup: func(t *testing.T, e *simEnv) {
				e.call(t, http.MethodPost, templatesPath, token, createBody("order_update", "en_US"))
			},
			body: createBody("order_update", "en_US"), wantStatus: 400, wantCode: 100, wantSubcode: 2388024, wantTitle: "Content in This Language Already Exists",
		},
		"NameHeldAfterDelete": {
			reason: "an approved template's name+language is held for 30 days after deletion (100/2388023)",
			setup: func(t *testing.T, e *simEnv) {
				if _, err := e.sim.AddTemplate(wabaID, graphsim.Template{Name: "order_update", Language: "en_US", Category: "UTILITY"}); err != nil {
					t.Fatal(err)
				}
				e.call(t, http.MethodDelete, templatesPath+"?name=order_update", token, nil)
			},
			body: createBody("order_update", "en_US"), wantStatus: 400, wantCode: 100, wantSubcode: 2388023,
		},
		"BadName": {
			reason: "names are lowercase [a-z0-9_]", body: createBody("Order-Update", "en"), wantStatus: 400, wantCode: 100,
		},
		"BadCategory": {
			reason:     "the category must be one of Meta's three",
			body:       map[string]any{"name": "x", "language": "en", "category": "PROMO", "components": []any{map[string]any{"type": "BODY", "text": "x"}}},
			wantStatus: 400, wantCode: 100,
		},
		"NoBody": {
			reason:     "a template needs exactly one BODY",
			body:       map[string]any{"name": "x", "language": "en", "category": "UTILITY", "components": []any{map[string]any{"type": "FOOTER", "text": "x"}}},
			wantStatus: 400, wantCode: 100,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newSimEnv(t, graphsim.Options{})
			if tc.setup != nil {
				tc.setup(t, e)
			}
			a := e.call(t, http.MethodPost, templatesPath, token, tc.body)
			if a.status != tc.wantStatus {
				t.Fatalf("%s: HTTP %d (%v)", tc.reason, a.status, a.body)
			}
			if code, sub := a.errCode(); code != tc.wantCode || sub != tc.wantSubcode {
				t.Errorf("%s: code %d/%d, want %d/%d", tc.reason, code, sub, tc.wantCode, tc.wantSubcode)
			}
			if tc.wantTitle != "" && a.errField("error_user_title") != tc.wantTitle {
				t.Errorf("%s: title %q", tc.reason, a.errField("error_user_title"))
			}
			if a.status == 200 && (a.body["status"] != "PENDING" || a.body["id"] == "") {
				t.Errorf("%s: want {id, status: PENDING, category}, got %v", tc.reason, a.body)
			}
		})
	}
}

func listNames(t *testing.T, e *simEnv, query string) []string {
	t.Helper()
	a := e.call(t, http.MethodGet, templatesPath+"?"+query, token, nil)
	data, _ := a.body["data"].([]any)
	var names []string
	for _, d := range data {
		m := d.(map[string]any)
		names = append(names, fmt.Sprintf("%s/%s", m["name"], m["language"]))
	}
	sort.Strings(names)
	return names
}

func TestListTemplateFilters(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{})
	for _, s := range [][3]string{{"order_update", "en", "APPROVED"}, {"order_update", "es", "REJECTED"}, {"big_order_update_v2", "en", "APPROVED"}, {"welcome", "en", "PENDING"}} {
		if _, err := e.sim.AddTemplate(wabaID, graphsim.Template{Name: s[0], Language: s[1], Category: "UTILITY", Status: s[2]}); err != nil {
			t.Fatal(err)
		}
	}
	cases := map[string]struct {
		reason string
		query  string
		want   []string
	}{
		"Substring":  {reason: "Meta's name filter matches substrings", query: "name=order_update", want: []string{"big_order_update_v2/en", "order_update/en", "order_update/es"}},
		"Status":     {reason: "status filters", query: "status=APPROVED", want: []string{"big_order_update_v2/en", "order_update/en"}},
		"StatusList": {reason: "status takes a comma list", query: "status=PENDING,REJECTED", want: []string{"order_update/es", "welcome/en"}},
		"Language":   {reason: "language filters", query: "language=es", want: []string{"order_update/es"}},
		"None":       {reason: "no match is an empty data list", query: "name=nothing", want: nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, listNames(t, e, tc.query)); diff != "" {
				t.Errorf("%s: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCursorPaging(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{})
	for i := range 60 {
		if _, err := e.sim.AddTemplate(wabaID, graphsim.Template{Name: fmt.Sprintf("t_%02d", i), Language: "en", Category: "UTILITY"}); err != nil {
			t.Fatal(err)
		}
	}
	var sizes []int
	seen := map[string]bool{}
	query := "limit=25"
	for range 10 {
		a := e.call(t, http.MethodGet, templatesPath+"?"+query, token, nil)
		data := a.body["data"].([]any)
		sizes = append(sizes, len(data))
		for _, d := range data {
			seen[d.(map[string]any)["name"].(string)] = true
		}
		paging := a.body["paging"].(map[string]any)
		cursors := paging["cursors"].(map[string]any)
		if cursors["after"] == "" || cursors["before"] == "" {
			t.Fatalf("every non-empty page carries cursors, got %v", paging)
		}
		next, ok := paging["next"].(string)
		if !ok {
			break
		}
		u, err := url.Parse(next)
		if err != nil || u.Query().Get("after") != cursors["after"] || u.Query().Get("limit") != "25" {
			t.Fatalf("paging.next should carry the after cursor and limit, got %q", next)
		}
		query = "limit=25&after=" + url.QueryEscape(cursors["after"].(string))
	}
	if diff := cmp.Diff([]int{25, 25, 10}, sizes); diff != "" {
		t.Errorf("limit=25 over 60 items, paging.next absent on the last page: -want +got:\n%s", diff)
	}
	if len(seen) != 60 {
		t.Errorf("every template exactly once across pages, saw %d", len(seen))
	}
	if a := e.call(t, http.MethodGet, templatesPath, token, nil); len(a.body["data"].([]any)) != 25 {
		t.Errorf("the default page size is 25")
	}
}

func TestReviewTimer(t *testing.T) {
	cases := map[string]struct {
		reason     string
		outcome    graphsim.Review
		wantStatus string
		wantReason string
	}{
		"Approve": {reason: "PENDING until the delay, then APPROVED", outcome: graphsim.Review{Status: "APPROVED"}, wantStatus: "APPROVED", wantReason: "NONE"},
		"Reject":  {reason: "a rejection carries its reason", outcome: graphsim.Review{Status: "REJECTED", Reason: "INVALID_FORMAT"}, wantStatus: "REJECTED", wantReason: "INVALID_FORMAT"},
		"Manual":  {reason: "without an outcome the template stays PENDING", outcome: graphsim.Review{}, wantStatus: "PENDING", wantReason: "NONE"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newSimEnv(t, graphsim.Options{ReviewDelay: time.Hour, ReviewOutcome: tc.outcome})
			id := e.call(t, http.MethodPost, templatesPath, token, createBody("x", "en")).body["id"].(string)
			e.clock.Advance(59 * time.Minute)
			if got := e.call(t, http.MethodGet, "/v25.0/"+id, token, nil).body["status"]; got != "PENDING" {
				t.Fatalf("%s: before the delay the template is PENDING, got %v", tc.reason, got)
			}
			e.clock.Advance(2 * time.Minute)
			got := e.call(t, http.MethodGet, "/v25.0/"+id, token, nil).body
			if got["status"] != tc.wantStatus || got["rejected_reason"] != tc.wantReason {
				t.Errorf("%s: got status %v reason %v", tc.reason, got["status"], got["rejected_reason"])
			}
		})
	}
}

func TestEditRules(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{})
	tpl, _ := e.sim.AddTemplate(wabaID, graphsim.Template{Name: "x", Language: "en", Category: "UTILITY"})
	edit := map[string]any{"components": []any{map[string]any{"type": "BODY", "text": "v2"}}}
	path := "/v25.0/" + tpl.ID

	if a := e.call(t, http.MethodPost, path, token, map[string]any{"category": "MARKETING"}); a.status != 400 {
		t.Errorf("an approved template's category cannot change, got %d", a.status)
	}
	if a := e.call(t, http.MethodPost, path, token, edit); a.status != 200 {
		t.Fatalf("the first edit of an approved template: %v", a.body)
	}
	if a := e.call(t, http.MethodPost, path, token, edit); a.status != 400 {
		t.Errorf("a PENDING template cannot be edited, got %d", a.status)
	}
	_ = e.sim.SetTemplateStatus(tpl.ID, "APPROVED", "")
	e.clock.Advance(23 * time.Hour)
	a := e.call(t, http.MethodPost, path, token, edit)
	if code, _ := a.errCode(); a.status != 400 || code != 100 || a.errField("error_user_title") != "Template edit limit reached" {
		t.Errorf("a second edit within 24h is refused, got %d %v", a.status, a.body)
	}
	e.clock.Advance(2 * time.Hour)
	if a := e.call(t, http.MethodPost, path, token, edit); a.status != 200 {
		t.Errorf("after 24h the next edit goes through: %v", a.body)
	}
	_ = e.sim.SetTemplateStatus(tpl.ID, "REJECTED", "INVALID_FORMAT")
	for i := range 3 {
		if a := e.call(t, http.MethodPost, path, token, edit); a.status != 200 {
			t.Fatalf("rejected templates have no edit budget (edit %d): %v", i, a.body)
		}
		_ = e.sim.SetTemplateStatus(tpl.ID, "REJECTED", "INVALID_FORMAT")
	}
}

func TestDeleteTemplateByName(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{})
	en, _ := e.sim.AddTemplate(wabaID, graphsim.Template{Name: "promo", Language: "en", Category: "MARKETING"})
	_, _ = e.sim.AddTemplate(wabaID, graphsim.Template{Name: "promo", Language: "es", Category: "MARKETING"})
	_, _ = e.sim.AddTemplate(wabaID, graphsim.Template{Name: "promo", Language: "de", Category: "MARKETING"})
	if a := e.call(t, http.MethodDelete, templatesPath+"?name=promo&hsm_id="+en.ID, token, nil); a.status != 200 {
		t.Fatal(a.body)
	}
	if got := len(e.sim.Templates(wabaID)); got != 2 {
		t.Errorf("hsm_id deletes one language, %d left", got)
	}
	if a := e.call(t, http.MethodDelete, templatesPath+"?name=promo", token, nil); a.status != 200 {
		t.Fatal(a.body)
	}
	if got := len(e.sim.Templates(wabaID)); got != 0 {
		t.Errorf("by name alone Meta deletes every language, %d left", got)
	}
	a := e.call(t, http.MethodDelete, templatesPath+"?name=promo", token, nil)
	if a.status != 400 {
		t.Errorf("deleting a missing template is an error at Meta, got %d", a.status)
	}
	if code, sub := a.errCode(); code != 100 || sub != 33 {
		t.Errorf("a missing template answers Meta's object-missing shape 100/33, got %d/%d", code, sub)
	}
}

func TestDeleteDisabledTemplateRefused(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{})
	tpl, _ := e.sim.AddTemplate(wabaID, graphsim.Template{Name: "promo", Language: "en", Category: "MARKETING", Status: graphsim.StatusDisabled})
	a := e.call(t, http.MethodDelete, templatesPath+"?name=promo&hsm_id="+tpl.ID, token, nil)
	if code, sub := a.errCode(); a.status != 400 || code != 100 || sub == 33 {
		t.Errorf("a DISABLED template is refused with 100 and no object-missing subcode, got HTTP %d %d/%d", a.status, code, sub)
	}
	if got := len(e.sim.Templates(wabaID)); got != 1 {
		t.Errorf("the refused template stays, %d left", got)
	}
}
