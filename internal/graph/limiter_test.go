package graph_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// With a frozen fake clock the budgets never free up unless the test
// advances it, so every assertion below is deterministic.

// unregistered makes the seeded WABA one without a registered number, so
// Meta (the simulator) allows it 200 management calls an hour.
func unregistered(t *testing.T, e *env) {
	t.Helper()
	if err := e.sim.UpdatePhoneNumber(phoneID, func(p *graphsim.PhoneNumber) { p.PlatformType = "NOT_APPLICABLE" }); err != nil {
		t.Fatal(err)
	}
}

// noPacing keeps the usage threshold out of a test about the hourly count:
// the simulator's computed usage passes 75% long before 200 calls.
const noPacing = 100

func TestManagementBudgetIsMetasHourlyCount(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	e := newEnv(t, withClock(clock), withMetaBudgets(), withLimits(graph.Limits{SlowdownThreshold: noPacing}))
	unregistered(t, e)

	for i := range 200 {
		if _, err := e.client.GetBusinessAccount(ctx, wabaID); err != nil {
			t.Fatalf("call %d of Meta's 200 an hour goes out at once: %v", i+1, err)
		}
	}
	_, err := e.client.GetBusinessAccount(ctx, wabaID)
	var le *graph.LimitError
	if !errors.As(err, &le) || le.Budget != graph.BudgetManagement || !graph.HeldBack(err) || graph.Classify(err) != graph.ClassRateLimited {
		t.Fatalf("the 201st call in the hour is held back by the management budget, got %v", err)
	}
	if le.RetryAfter < time.Hour || le.RetryAfter > time.Hour+time.Minute {
		t.Errorf("the calls leave the rolling hour after 60-61 minutes, RetryAfter %s", le.RetryAfter)
	}
	if n := e.sim.Calls(graphsim.EndpointGetBusinessAccount); n != 200 {
		t.Errorf("a held call does not reach Meta: %d calls", n)
	}
	if n := e.sim.BudgetRefusals(); n != 0 {
		t.Errorf("Meta refused %d calls; the budget must keep every call within Meta's", n)
	}
	clock.Advance(le.RetryAfter - time.Minute)
	if _, err := e.client.GetBusinessAccount(ctx, wabaID); !graph.HeldBack(err) {
		t.Errorf("a minute before RetryAfter the budget is still spent, got %v", err)
	}
	clock.Advance(time.Minute)
	if _, err := e.client.GetBusinessAccount(ctx, wabaID); err != nil {
		t.Errorf("once the hour has rolled on, the call goes out and Meta accepts it: %v", err)
	}
}

func TestTemplateCreateBudgetIsMetasHourlyCount(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	e := newEnv(t, withClock(clock), withMetaBudgets(), withLimits(graph.Limits{SlowdownThreshold: noPacing}))
	spec := func(i int) graph.TemplateSpec {
		return graph.TemplateSpec{Name: fmt.Sprintf("bulk_%03d", i), Language: "en", Category: "UTILITY", Components: bodyComponents("Hi")}
	}
	for i := range 100 {
		if _, err := e.client.CreateTemplate(ctx, wabaID, spec(i)); err != nil {
			t.Fatalf("creation %d of Meta's 100 an hour goes out at once: %v", i+1, err)
		}
	}
	_, err := e.client.CreateTemplate(ctx, wabaID, spec(100))
	var le *graph.LimitError
	if !errors.As(err, &le) || le.Budget != graph.BudgetTemplateCreate || le.Limit != 100 || !graph.HeldBack(err) {
		t.Fatalf("the 101st creation in the hour is held back by the creation budget, got %v", err)
	}
	if d := graph.Describe(err); !strings.Contains(d, "held back by the operator") || !strings.Contains(d, "100 templates") || !strings.Contains(d, "Meta refused nothing") {
		t.Errorf("the message says whose limit it is: %q", d)
	}
	if n := e.sim.Calls(graphsim.EndpointCreateTemplate); n != 100 {
		t.Errorf("Meta saw %d creations, want 100 (none refused, none held past the budget)", n)
	}
	if _, err := e.client.ListTemplates(ctx, wabaID, graph.TemplateFilter{}); err != nil {
		t.Errorf("other management calls still go through: %v", err)
	}
	clock.Advance(le.RetryAfter)
	if _, err := e.client.CreateTemplate(ctx, wabaID, spec(100)); err != nil {
		t.Errorf("an hour later Meta accepts the next creation: %v", err)
	}
	if n := e.sim.BudgetRefusals(); n != 0 {
		t.Errorf("Meta refused %d calls; the budget must keep every call within Meta's", n)
	}
}

func TestLimiterIsPerWABA(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, withClock(newFakeClock()), withLimits(graph.Limits{ManagementPerHour: 1, MaxWait: time.Millisecond}))
	e.sim.AddWABA(graphsim.WABA{ID: "222", Name: "Second"})
	e.sim.AddToken(graphsim.Token{Value: testToken, AppID: appID})
	if _, err := e.client.GetBusinessAccount(ctx, wabaID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.GetBusinessAccount(ctx, wabaID); !graph.HeldBack(err) {
		t.Fatalf("the WABA's one call an hour is spent, got %v", err)
	}
	if _, err := e.client.GetBusinessAccount(ctx, "222"); err != nil {
		t.Errorf("another WABA has its own budget: %v", err)
	}
}

func TestRegisteredNumberRaisesBudget(t *testing.T) {
	cases := map[string]struct {
		reason   string
		platform string
		wantOK   bool
	}{
		"Registered":   {reason: "a CLOUD_API number moves the WABA to the 5,000/h budget", platform: "CLOUD_API", wantOK: true},
		"Unregistered": {reason: "without a registered number the WABA stays at 200/h", platform: "NOT_APPLICABLE", wantOK: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, withClock(newFakeClock()), withLimits(graph.Limits{
				ManagementPerHour: 1, RegisteredManagementPerHour: 2, MaxWait: time.Millisecond,
			}))
			_ = e.sim.UpdatePhoneNumber(phoneID, func(p *graphsim.PhoneNumber) { p.PlatformType = tc.platform; p.Status = "PENDING" })
			if _, err := e.client.ListPhoneNumbers(ctx, wabaID); err != nil {
				t.Fatal(err)
			}
			_, err := e.client.GetBusinessAccount(ctx, wabaID)
			if (err == nil) != tc.wantOK {
				t.Errorf("%s: err=%v", tc.reason, err)
			}
		})
	}
}

func TestLimiterWaitsShortDelays(t *testing.T) {
	// At 90% usage a 36,000/h budget is spaced out to one call per ~217ms:
	// under MaxWait, so the second call waits its turn instead of failing.
	e := newEnv(t, withLimits(graph.Limits{ManagementPerHour: 36000, MaxWait: 5 * time.Second}))
	if err := e.sim.SetUsage(wabaID, graphsim.Usage{CallCount: 90}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 2 {
		if _, err := e.client.GetBusinessAccount(ctx, wabaID); err != nil {
			t.Fatalf("call %d: a wait under MaxWait is waited out: %v", i, err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	_, err := e.client.GetBusinessAccount(short, wabaID)
	if graph.Classify(err) != graph.ClassRateLimited {
		t.Errorf("a wait past the context deadline is refused at once, got %v", err)
	}
}

func TestUsageHeaderSlowdown(t *testing.T) {
	cases := map[string]struct {
		reason  string
		percent int
		wantOK  bool
	}{
		"Low":  {reason: "below 75% calls are not spaced out", percent: 10, wantOK: true},
		"High": {reason: "at 90% calls are spaced ~2.2s apart at 3,600/h", percent: 90, wantOK: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clock := newFakeClock()
			e := newEnv(t, withClock(clock), withLimits(graph.Limits{ManagementPerHour: 3600, MaxWait: time.Millisecond}))
			if err := e.sim.SetUsage(wabaID, graphsim.Usage{CallCount: tc.percent}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.client.GetBusinessAccount(ctx, wabaID); err != nil {
				t.Fatal(err)
			}
			if got := e.client.Usage(wabaID).Percent; got != tc.percent {
				t.Errorf("%s: usage reading %d, want %d", tc.reason, got, tc.percent)
			}
			clock.Advance(1500 * time.Millisecond)
			_, err := e.client.GetBusinessAccount(ctx, wabaID)
			if (err == nil) != tc.wantOK {
				t.Fatalf("%s: err=%v", tc.reason, err)
			}
			if err == nil {
				return
			}
			var le *graph.LimitError
			if !errors.As(err, &le) || le.Budget != graph.BudgetPacing || le.Percent != tc.percent || !graph.HeldBack(err) {
				t.Errorf("%s: held back by pacing at Meta's reading, got %+v", tc.reason, err)
			}
			if d := graph.Describe(err); !strings.Contains(d, fmt.Sprintf("Meta reports %d%%", tc.percent)) || !strings.Contains(d, "Meta refused nothing") {
				t.Errorf("the message names Meta's reading and that Meta refused nothing: %q", d)
			}
		})
	}
}

// TestWhoseLimit: a hold of the operator's own reads differently from a
// wait Meta asked for, so a condition can say whose limit it is.
func TestWhoseLimit(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, withClock(newFakeClock()), withLimits(graph.Limits{}))
	e.sim.InjectFault(graphsim.Fault{Endpoint: graphsim.EndpointGetBusinessAccount, Kind: graphsim.FaultRateLimit, Code: 80007, Times: 1})
	_, metaErr := e.client.GetBusinessAccount(ctx, wabaID)
	_, blockErr := e.client.GetBusinessAccount(ctx, wabaID)
	for name, err := range map[string]error{"Meta's answer": metaErr, "Meta's block": blockErr} {
		if graph.Classify(err) != graph.ClassRateLimited || graph.HeldBack(err) {
			t.Errorf("%s is Meta's limit, not a hold of the operator's: %v", name, err)
		}
		if d := graph.Describe(err); strings.Contains(d, "held back") || !strings.Contains(d, "Meta's rate limit") {
			t.Errorf("%s: the message says Meta's limit: %q", name, d)
		}
	}
}

func TestCancelledWaitGivesTheCallBack(t *testing.T) {
	// One call an hour, and a MaxWait long enough to wait for the next
	// slot. A caller that gives up while waiting must not keep the slot:
	// when the hour has rolled on, the next call goes out.
	ctx := context.Background()
	clock := newFakeClock()
	e := newEnv(t, withClock(clock), withLimits(graph.Limits{ManagementPerHour: 1, MaxWait: 2 * time.Hour}))
	if _, err := e.client.GetBusinessAccount(ctx, wabaID); err != nil {
		t.Fatal(err)
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := e.client.GetBusinessAccount(gone, wabaID); err == nil || graph.Classify(err) != graph.ClassTransient {
		t.Fatalf("a caller that gave up gets its context's error, got %v", err)
	}
	clock.Advance(61 * time.Minute)
	if _, err := e.client.GetBusinessAccount(ctx, wabaID); err != nil {
		t.Errorf("the abandoned call was counted against the next hour: %v", err)
	}
	if n := e.sim.Calls(graphsim.EndpointGetBusinessAccount); n != 2 {
		t.Errorf("Meta saw %d calls, want 2", n)
	}
}

func TestUsageRegainBlocks(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	e := newEnv(t, withClock(clock), withLimits(graph.Limits{}))
	_ = e.sim.SetUsage(wabaID, graphsim.Usage{CallCount: 100, RegainMinutes: 7})
	if _, err := e.client.GetBusinessAccount(ctx, wabaID); err != nil {
		t.Fatal(err)
	}
	_, err := e.client.ListPhoneNumbers(ctx, wabaID)
	if graph.RetryAfter(err) != 7*time.Minute || graph.Classify(err) != graph.ClassRateLimited {
		t.Fatalf("estimated_time_to_regain_access blocks the WABA for 7 minutes, got %v", err)
	}
	if r := e.client.Usage(wabaID); r.Percent != 100 || !r.BlockedUntil.Equal(clock.Now().Add(7*time.Minute)) {
		t.Errorf("usage reading %+v", r)
	}
	e.sim.ClearUsage(wabaID)
	clock.Advance(7 * time.Minute)
	if _, err := e.client.ListPhoneNumbers(ctx, wabaID); err != nil {
		t.Errorf("after the wait calls resume: %v", err)
	}
}

// TestAppUsageIsPerApp: one Factory serves several Meta apps. X-App-Usage
// is one app's budget: a high reading for app A slows A's calls but neither
// shows in app B's usage nor slows B's calls to its own WABA.
func TestAppUsageIsPerApp(t *testing.T) {
	ctx := context.Background()
	const (
		otherApp   = "734974688087058"
		otherWABA  = "202290129340399"
		otherToken = "EAAG-other-app-TOKEN-0004"
	)
	clock := newFakeClock()
	e := newEnv(t, withClock(clock))
	e.sim.AddApp(graphsim.App{ID: otherApp, Name: "Other App", Secret: "other-app-secret"})
	e.sim.AddWABA(graphsim.WABA{ID: otherWABA, Name: "Other"})
	e.sim.AddToken(graphsim.Token{Value: otherToken, AppID: otherApp, WABAs: []string{otherWABA}})
	// App A's answers carry a high X-App-Usage; app B's carry none.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer "+testToken {
			w.Header().Set(graph.HeaderAppUsage, `{"call_count":95,"total_cputime":10,"total_time":10}`)
		}
		e.sim.ServeHTTP(w, r)
	}))
	defer srv.Close()
	cfg := e.cfg
	cfg.BaseURL = srv.URL
	cfg.Limits = graph.Limits{ManagementPerHour: 3600, MaxWait: time.Millisecond}
	f := graph.NewFactory(cfg)
	a, b := f.Client(testToken), f.Client(otherToken)

	if _, err := a.GetBusinessAccount(ctx, wabaID); err != nil {
		t.Fatal(err)
	}
	if got := a.Usage(wabaID).Percent; got != 95 {
		t.Errorf("app A's reading is 95%%, got %d", got)
	}
	if got := b.Usage(otherWABA).Percent; got != 0 {
		t.Errorf("app A's usage must not show in app B's reading, got %d%%", got)
	}
	if _, err := b.GetBusinessAccount(ctx, otherWABA); err != nil {
		t.Fatal(err)
	}
	clock.Advance(1500 * time.Millisecond)
	if _, err := b.GetBusinessAccount(ctx, otherWABA); err != nil {
		t.Errorf("app B's WABA keeps its full rate whatever app A uses, got %v", err)
	}
	if _, err := a.GetBusinessAccount(ctx, wabaID); graph.Classify(err) != graph.ClassRateLimited {
		t.Errorf("app A at 95%% is slowed down: the refill after 1.5 s is not enough, got %v", err)
	}
}
