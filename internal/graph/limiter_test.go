package graph_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// With a frozen fake clock the limiter never refills unless the test
// advances it, so every assertion below is deterministic.

func TestManagementLimiter(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	e := newEnv(t, withClock(clock), withLimits(graph.Limits{ManagementPerHour: 3600, ManagementBurst: 2, MaxWait: time.Millisecond}))

	for i := range 2 {
		if _, err := e.client.GetBusinessAccount(ctx, wabaID); err != nil {
			t.Fatalf("call %d within the burst: %v", i, err)
		}
	}
	_, err := e.client.GetBusinessAccount(ctx, wabaID)
	var le *graph.LimitError
	if !errors.As(err, &le) || le.Budget != graph.BudgetManagement || graph.Classify(err) != graph.ClassRateLimited {
		t.Fatalf("the third call exceeds the burst and is refused locally, got %v", err)
	}
	if le.RetryAfter != time.Second {
		t.Errorf("at 3600/h one token takes 1s, RetryAfter %s", le.RetryAfter)
	}
	if n := e.sim.Calls(graphsim.EndpointGetBusinessAccount); n != 2 {
		t.Errorf("a refused call does not reach Meta: %d calls", n)
	}
	clock.Advance(time.Second)
	if _, err := e.client.GetBusinessAccount(ctx, wabaID); err != nil {
		t.Errorf("after the wait the call goes through: %v", err)
	}
}

func TestLimiterIsPerWABA(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, withClock(newFakeClock()), withLimits(graph.Limits{ManagementPerHour: 1, ManagementBurst: 1, MaxWait: time.Millisecond}))
	e.sim.AddWABA(graphsim.WABA{ID: "222", Name: "Second"})
	e.sim.AddToken(graphsim.Token{Value: testToken, AppID: appID})
	if _, err := e.client.GetBusinessAccount(ctx, wabaID); err != nil {
		t.Fatal(err)
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
			clock := newFakeClock()
			e := newEnv(t, withClock(clock), withLimits(graph.Limits{
				ManagementPerHour: 1, RegisteredManagementPerHour: 3600, ManagementBurst: 1, MaxWait: time.Millisecond,
			}))
			_ = e.sim.UpdatePhoneNumber(phoneID, func(p *graphsim.PhoneNumber) { p.PlatformType = tc.platform; p.Status = "PENDING" })
			if _, err := e.client.ListPhoneNumbers(ctx, wabaID); err != nil {
				t.Fatal(err)
			}
			clock.Advance(2 * time.Second)
			_, err := e.client.GetBusinessAccount(ctx, wabaID)
			if (err == nil) != tc.wantOK {
				t.Errorf("%s: err=%v", tc.reason, err)
			}
		})
	}
}

func TestTemplateCreateLimiter(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, withClock(newFakeClock()), withLimits(graph.Limits{ManagementPerHour: 100000, ManagementBurst: 100, TemplateCreatesPerHour: 1, TemplateCreateBurst: 1, MaxWait: time.Millisecond}))
	spec := func(n string) graph.TemplateSpec {
		return graph.TemplateSpec{Name: n, Language: "en", Category: "UTILITY", Components: bodyComponents("Hi")}
	}
	if _, err := e.client.CreateTemplate(ctx, wabaID, spec("a")); err != nil {
		t.Fatal(err)
	}
	_, err := e.client.CreateTemplate(ctx, wabaID, spec("b"))
	var le *graph.LimitError
	if !errors.As(err, &le) || le.Budget != graph.BudgetTemplateCreate || le.RetryAfter != time.Hour {
		t.Fatalf("the second creation in the hour is refused by the creation budget, got %v", err)
	}
	if _, err := e.client.ListTemplates(ctx, wabaID, graph.TemplateFilter{}); err != nil {
		t.Errorf("other management calls still go through: %v", err)
	}
}

func TestLimiterWaitsShortDelays(t *testing.T) {
	e := newEnv(t, withLimits(graph.Limits{ManagementPerHour: 36000, ManagementBurst: 1, MaxWait: 5 * time.Second}))
	ctx := context.Background()
	for i := range 2 {
		if _, err := e.client.GetBusinessAccount(ctx, wabaID); err != nil {
			t.Fatalf("call %d: a 100ms wait is under MaxWait and is waited out: %v", i, err)
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
		"Low":  {reason: "below 75% the limiter keeps its rate", percent: 10, wantOK: true},
		"High": {reason: "at 90% the rate drops and the refill is not enough", percent: 90, wantOK: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clock := newFakeClock()
			e := newEnv(t, withClock(clock), withLimits(graph.Limits{ManagementPerHour: 3600, ManagementBurst: 1, MaxWait: time.Millisecond}))
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
				t.Errorf("%s: err=%v", tc.reason, err)
			}
		})
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
	cfg.Limits = graph.Limits{ManagementPerHour: 3600, ManagementBurst: 1, MaxWait: time.Millisecond}
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
