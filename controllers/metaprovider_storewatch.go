package controllers

import (
	"context"
	"time"

	"golang.org/x/sync/errgroup"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
)

// storeWatchParallel bounds the stores asked at once.
const storeWatchParallel = 8

// storeWatch asks the shared store of every provider that names one, every
// Options.SharedStoreRecheck (the leader only), and sends a provider
// whose store answers differently from what its SharedStateReady says to
// its reconcile, which checks again and writes the condition. So an
// outage shows within about a minute, and so does the recovery, without
// a reconcile (or a Graph call) per provider per minute.
type storeWatch struct {
	cache, apiReader client.Reader
	opts             Options
	events           chan event.GenericEvent
}

func newStoreWatch(cache, apiReader client.Reader, opts Options) *storeWatch {
	return &storeWatch{cache: cache, apiReader: apiReader, opts: opts, events: make(chan event.GenericEvent, 64)}
}

// Start runs until ctx ends.
func (w *storeWatch) Start(ctx context.Context) error {
	t := time.NewTicker(w.opts.SharedStoreRecheck)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			w.sweep(ctx)
		}
	}
}

// sweep asks each provider's store once.
func (w *storeWatch) sweep(ctx context.Context) {
	var list whatsappv1alpha1.MetaProviderList
	if err := w.cache.List(ctx, &list); err != nil {
		return
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(storeWatchParallel)
	for i := range list.Items {
		p := &list.Items[i]
		if p.Spec.SharedState == nil || p.Spec.SharedState.Redis == nil || !p.DeletionTimestamp.IsZero() || p.IsSuspended() {
			continue // a suspended provider's reconcile would not look (spec.suspend)
		}
		shown := conditions.Get(p, whatsappv1alpha1.ConditionSharedStateReady)
		if shown == nil {
			continue // not reconciled yet: the reconcile will check
		}
		g.Go(func() error {
			cfg, err := storeConfigOf(gctx, w.apiReader, w.opts, p, p.Spec.SharedState.Redis)
			if err == nil {
				err = pingStore(gctx, cfg)
			}
			if (err == nil) != (shown.Status == metav1.ConditionTrue) {
				select {
				case w.events <- event.GenericEvent{Object: p}:
				case <-gctx.Done():
				}
			}
			return nil
		})
	}
	_ = g.Wait()
}
