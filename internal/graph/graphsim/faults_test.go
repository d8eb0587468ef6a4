package graphsim_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

const wabaPath = "/v25.0/" + wabaID

func TestFaultInjection(t *testing.T) {
	cases := map[string]struct {
		reason  string
		fault   graphsim.Fault
		path    string
		want    []int // HTTP statuses of consecutive calls
		wantErr int   // error code of the first faulted call
	}{
		"NextTwo": {
			reason: "a fault for the next N calls then stops",
			fault:  graphsim.Fault{Kind: graphsim.FaultServerError, Status: 503, Times: 2},
			path:   wabaPath, want: []int{503, 503, 200}, wantErr: 2,
		},
		"EndpointOnly": {
			reason: "an endpoint fault leaves other endpoints alone",
			fault:  graphsim.Fault{Endpoint: graphsim.EndpointListTemplates, Kind: graphsim.FaultServerError, Times: 1},
			path:   wabaPath, want: []int{200},
		},
		"RateLimit": {
			reason: "rate limits are HTTP 400 with the code",
			fault:  graphsim.Fault{Kind: graphsim.FaultRateLimit, Code: 4, Times: 1},
			path:   wabaPath, want: []int{400, 200}, wantErr: 4,
		},
		"BadGateway": {
			reason: "a proxy error without a Graph error object",
			fault:  graphsim.Fault{Kind: graphsim.FaultBadGateway, Times: 1},
			path:   wabaPath, want: []int{502, 200},
		},
		"Persistent": {
			reason: "Times 0 applies until cleared",
			fault:  graphsim.Fault{Kind: graphsim.FaultError, Status: 403, Code: 10, Message: "(#10) Permission denied"},
			path:   wabaPath, want: []int{403, 403, 403}, wantErr: 10,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newSimEnv(t, graphsim.Options{})
			e.sim.InjectFault(tc.fault)
			var got []int
			for i := range tc.want {
				a := e.call(t, http.MethodGet, tc.path, token, nil)
				got = append(got, a.status)
				if code, _ := a.errCode(); i == 0 && code != tc.wantErr {
					t.Errorf("%s: first error code %d, want %d", tc.reason, code, tc.wantErr)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s: -want +got:\n%s", tc.reason, diff)
			}
			if n := e.sim.Calls(graphsim.EndpointGetBusinessAccount); n != len(tc.want) {
				t.Errorf("%s: faulted calls count too: %d", tc.reason, n)
			}
		})
	}
}

func TestFaultRateIsSeeded(t *testing.T) {
	run := func(seed uint64) []int {
		e := newSimEnv(t, graphsim.Options{Seed: seed})
		e.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultServerError, Rate: 0.5})
		var out []int
		for range 40 {
			out = append(out, e.call(t, http.MethodGet, wabaPath, token, nil).status)
		}
		return out
	}
	a, b := run(7), run(7)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("the same seed gives the same faults: -first +second:\n%s", diff)
	}
	fails := 0
	for _, s := range a {
		if s != 200 {
			fails++
		}
	}
	if fails == 0 || fails == len(a) {
		t.Errorf("a 50%% rate should fail some and pass some calls, failed %d of %d", fails, len(a))
	}
}

func TestRateLimitFaultUsageHeader(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{})
	e.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultRateLimit, RegainMinutes: 12, Times: 1})
	a := e.call(t, http.MethodGet, wabaPath+"/phone_numbers", token, nil)
	if code, _ := a.errCode(); a.status != 400 || code != 80007 {
		t.Fatalf("default rate-limit code is 80007 as HTTP 400, got %d %d", a.status, code)
	}
	var usage map[string][]map[string]any
	if err := json.Unmarshal([]byte(a.header.Get("X-Business-Use-Case-Usage")), &usage); err != nil {
		t.Fatal(err)
	}
	if got := usage[wabaID][0]["estimated_time_to_regain_access"]; got != float64(12) {
		t.Errorf("the usage header says when access returns (minutes), got %d", got)
	}
}

func TestCallCounts(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{})
	e.call(t, http.MethodGet, wabaPath, token, nil)
	e.call(t, http.MethodGet, wabaPath+"/phone_numbers", token, nil)
	e.call(t, http.MethodGet, wabaPath+"/phone_numbers", "bad-token", nil)
	e.call(t, http.MethodPost, wabaPath+"/subscribed_apps", token, nil)
	e.call(t, http.MethodGet, "/v25.0/"+phoneID, token, nil)
	e.call(t, http.MethodGet, "/nowhere", token, nil)
	want := map[string]int{
		graphsim.EndpointGetBusinessAccount: 1, graphsim.EndpointListPhoneNumbers: 2,
		graphsim.EndpointSubscribeApp: 1, graphsim.EndpointGetPhoneNumber: 1, graphsim.EndpointUnknown: 1,
	}
	if diff := cmp.Diff(want, e.sim.CallCounts()); diff != "" {
		t.Errorf("calls per logical endpoint, failed ones included: -want +got:\n%s", diff)
	}
	if e.sim.TotalCalls() != 6 {
		t.Errorf("total %d", e.sim.TotalCalls())
	}
	e.sim.ResetCalls()
	if e.sim.TotalCalls() != 0 || e.sim.Calls(graphsim.EndpointListPhoneNumbers) != 0 {
		t.Errorf("ResetCalls zeroes every counter")
	}
}

func TestUsageHeaderAndBudget(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{EnforceRateLimits: true})
	_ = e.sim.UpdatePhoneNumber(phoneID, func(p *graphsim.PhoneNumber) { p.PlatformType = "NOT_APPLICABLE" })
	var last answer
	for i := range 200 {
		last = e.call(t, http.MethodGet, wabaPath, token, nil)
		if last.status != 200 {
			t.Fatalf("call %d within the 200/h budget failed: %v", i, last.body)
		}
	}
	var usage map[string][]map[string]any
	_ = json.Unmarshal([]byte(last.header.Get("X-Business-Use-Case-Usage")), &usage)
	if got := usage[wabaID][0]["call_count"]; got != float64(100) {
		t.Errorf("200 of 200 calls is 100%%, got %v", got)
	}
	if n := e.sim.BudgetRefusals(); n != 0 {
		t.Errorf("no call within the budget is counted as refused, got %d", n)
	}
	a := e.call(t, http.MethodGet, wabaPath, token, nil)
	if code, _ := a.errCode(); a.status != 400 || code != 80007 {
		t.Errorf("the 201st call in the hour is refused with 80007, got %d %v", a.status, a.body)
	}
	if n := e.sim.BudgetRefusals(); n != 1 {
		t.Errorf("the refusal is counted, got %d", n)
	}
	e.clock.Advance(61 * time.Minute)
	if a := e.call(t, http.MethodGet, wabaPath, token, nil); a.status != 200 {
		t.Errorf("after the hour the budget is back, got %d", a.status)
	}
}

// TestSlowFaultThenDelete: a slow fault releases the lock after the route
// is resolved; a template deleted meanwhile must be answered as missing,
// not dereferenced (a nil-pointer panic with the lock held hung the
// simulator).
func TestSlowFaultThenDelete(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{})
	tpl, err := e.sim.AddTemplate(wabaID, graphsim.Template{Name: "promo", Language: "en", Category: "MARKETING", Status: graphsim.StatusApproved})
	if err != nil {
		t.Fatal(err)
	}
	e.sim.InjectFault(graphsim.Fault{Endpoint: graphsim.EndpointGetTemplate, Kind: graphsim.FaultSlow, Delay: 300 * time.Millisecond, Times: 1})
	hc := &http.Client{Timeout: 3 * time.Second}
	type result struct {
		status int
		body   map[string]any
		err    error
	}
	done := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/v25.0/"+tpl.ID, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := hc.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer func() { _ = resp.Body.Close() }()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		done <- result{status: resp.StatusCode, body: m}
	}()
	for deadline := time.Now().Add(2 * time.Second); e.sim.Calls(graphsim.EndpointGetTemplate) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the GET never reached the simulator")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if a := e.call(t, http.MethodDelete, templatesPath+"?name=promo&hsm_id="+tpl.ID, token, nil); a.status != 200 {
		t.Fatalf("delete during the slow fault: %v", a.body)
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("the slowed GET of a template deleted meanwhile must be answered, got %v", r.err)
	}
	a := answer{status: r.status, body: r.body}
	if code, sub := a.errCode(); r.status != 400 || code != 100 || sub != 33 {
		t.Errorf("want 400 with 100/33 for the deleted template, got HTTP %d %v", r.status, r.body)
	}
	// The simulator still answers.
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+wabaPath, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("the simulator hangs after the race: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET WABA after the race: HTTP %d", resp.StatusCode)
	}
}
