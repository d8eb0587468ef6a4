package graph_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

func TestFactoryCache(t *testing.T) {
	f := graph.NewFactory(graph.Config{BaseURL: "http://127.0.0.1:1"})
	a := f.Client("token-a")
	cases := map[string]struct {
		reason string
		got    *graph.Client
		same   bool
	}{
		"SameToken":      {reason: "the same credentials reuse the client", got: f.Client("token-a"), same: true},
		"RotatedToken":   {reason: "a new token builds a new client at once", got: f.Client("token-b"), same: false},
		"OtherVersion":   {reason: "a provider's own API version is another client", got: f.Client("token-a", graph.WithVersion("v24.0")), same: false},
		"SameVersion":    {reason: "naming the default version is the same client", got: f.Client("token-a", graph.WithVersion(graph.DefaultVersion)), same: true},
		"OtherBaseURL":   {reason: "another base URL is another client", got: f.Client("token-a", graph.WithBaseURL("http://127.0.0.1:2")), same: false},
		"EmptyOverrides": {reason: "empty options change nothing", got: f.Client("token-a", graph.WithVersion(""), graph.WithBaseURL("")), same: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if (tc.got == a) != tc.same {
				t.Errorf("%s: same=%v", tc.reason, tc.got == a)
			}
		})
	}
	if v := f.Client("token-a", graph.WithVersion("v24.0")).Version(); v != "v24.0" {
		t.Errorf("WithVersion should set the version, got %s", v)
	}
}

func TestFactoryConcurrent(t *testing.T) {
	f := graph.NewFactory(graph.Config{})
	var wg sync.WaitGroup
	got := make([]*graph.Client, 32)
	for i := range got {
		wg.Go(func() { got[i] = f.Client("tok") })
	}
	wg.Wait()
	for _, c := range got {
		if c != got[0] {
			t.Fatal("concurrent callers should all get the one cached client")
		}
	}
}

func TestFactorySharesLimiterPerWABA(t *testing.T) {
	e := newEnv(t)
	e.sim.AddToken(graphsim.Token{Value: "second-token", AppID: appID})
	cfg := e.cfg
	cfg.Clock = newFakeClock().Now
	cfg.Limits = graph.Limits{ManagementPerHour: 1, MaxWait: time.Millisecond}
	f := graph.NewFactory(cfg)
	if _, err := f.Client(testToken).GetBusinessAccount(context.Background(), wabaID); err != nil {
		t.Fatal(err)
	}
	_, err := f.Client("second-token").GetBusinessAccount(context.Background(), wabaID)
	var le *graph.LimitError
	if !errors.As(err, &le) {
		t.Fatalf("clients of one factory share the WABA's budget, got %v", err)
	}
	if f.Usage(wabaID).ObservedAt.IsZero() {
		t.Errorf("the factory should expose the WABA's usage reading")
	}
}
