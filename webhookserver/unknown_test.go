package webhookserver

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
)

func TestLiveConfirmer(t *testing.T) {
	bot := urlBot("http://127.0.0.1:1/")
	verified := newChannel("verified", "+12025550101", "101", bot)
	pending := newChannel("pending", "+12025550102", "", bot)
	foreign := newChannel("foreign", "+12025550103", "103", bot)
	foreign.Spec.ProviderRef.Name = "other"
	lists := 0
	c := fake.NewClientBuilder().WithScheme(mustScheme(t)).WithObjects(&verified, &pending, &foreign).
		WithInterceptorFuncs(interceptor.Funcs{List: func(ctx context.Context, c client.WithWatch, l client.ObjectList, o ...client.ListOption) error {
			lists++
			return c.List(ctx, l, o...)
		}}).Build()
	lc := newLiveConfirmer(c, testNamespace, testProvider, time.Minute)
	gen1, gen2 := &RouteTable{Generation: 1}, &RouteTable{Generation: 2}

	type step struct {
		table   *RouteTable
		pnid    string
		display string
	}
	type result struct {
		claimed bool
		lists   int
	}
	steps := []struct {
		reason string
		step   step
		want   result
	}{
		{"a verified channel the cache missed claims its id", step{gen1, "101", ""}, result{true, 1}},
		{"a pending channel claims its number by display digits", step{gen1, "102", "+1 (202) 555-0102"}, result{true, 2}},
		{"another provider's channel does not claim for us", step{gen1, "103", "12025550103"}, result{false, 3}},
		{"an unclaimed number is remembered: no second list", step{gen1, "103", "12025550103"}, result{false, 3}},
		{"a changed route table asks the API server again", step{gen2, "103", "12025550103"}, result{false, 4}},
	}
	for _, s := range steps {
		claimed, err := lc.Claimed(context.Background(), s.step.table, s.step.pnid, s.step.display)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(s.want, result{claimed: claimed, lists: lists}, cmp.AllowUnexported(result{})); diff != "" {
			t.Errorf("%s\n-want, +got:\n%s", s.reason, diff)
		}
	}
}

func TestLiveConfirmerMergesConcurrentChecks(t *testing.T) {
	var lists atomic.Int32
	started, release := make(chan struct{}, 16), make(chan struct{})
	c := fake.NewClientBuilder().WithScheme(mustScheme(t)).
		WithInterceptorFuncs(interceptor.Funcs{List: func(ctx context.Context, c client.WithWatch, l client.ObjectList, o ...client.ListOption) error {
			lists.Add(1)
			started <- struct{}{}
			<-release
			return c.List(ctx, l, o...)
		}}).Build()
	lc := newLiveConfirmer(c, testNamespace, testProvider, time.Minute)
	table := &RouteTable{Generation: 1}

	const checks = 10
	var entered sync.WaitGroup
	entered.Add(checks)
	errs := make(chan error, checks)
	for i := range checks {
		go func() {
			entered.Done()
			claimed, err := lc.Claimed(context.Background(), table, fmt.Sprintf("90%d", i%3), "") // three numbers, several checks each
			if err == nil && claimed {
				err = fmt.Errorf("number %d claimed, want unclaimed", i)
			}
			errs <- err
		}()
	}
	<-started
	entered.Wait()
	time.Sleep(100 * time.Millisecond) // every check is now waiting for the list under way
	close(release)
	for range checks {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := lists.Load(); n != 1 {
		t.Errorf("a burst of webhooks for unknown numbers made %d lists of channels, want 1 shared list", n)
	}
}

func TestLiveConfirmerCallerDeadline(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	c := fake.NewClientBuilder().WithScheme(mustScheme(t)).
		WithInterceptorFuncs(interceptor.Funcs{List: func(ctx context.Context, c client.WithWatch, l client.ObjectList, o ...client.ListOption) error {
			select {
			case <-release:
			case <-ctx.Done(): // the list's own timeout
				return ctx.Err()
			}
			return c.List(ctx, l, o...)
		}}).Build()
	lc := newLiveConfirmer(c, testNamespace, testProvider, time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := lc.Claimed(ctx, &RouteTable{Generation: 1}, "901", ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a caller stops waiting for a shared list at its own deadline: got %v, want DeadlineExceeded", err)
	}
}
