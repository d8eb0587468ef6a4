package controllers

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// wabaListings shares one phone-number listing and one template listing per
// WABA between every channel and template of that WABA: a reconcile reads
// the listing when it is younger than the age it accepts, and otherwise
// refreshes it, with concurrent refreshes of one WABA collapsed into a
// single Graph call (singleflight). Steady state therefore costs one paged
// listing per WABA per syncInterval, whatever the number of objects.
type wabaListings struct {
	now   func() time.Time
	group singleflight.Group

	mu        sync.Mutex
	phones    map[string]listing[graph.PhoneNumber]
	templates map[string]listing[graph.Template]
}

type listing[T any] struct {
	items     []T
	fetchedAt time.Time
}

func newWABAListings(now func() time.Time) *wabaListings {
	return &wabaListings{
		now:       now,
		phones:    map[string]listing[graph.PhoneNumber]{},
		templates: map[string]listing[graph.Template]{},
	}
}

// phoneNumbers returns the WABA's phone numbers, at most maxAge old.
func (w *wabaListings) phoneNumbers(ctx context.Context, c *graph.Client, wabaID string, maxAge time.Duration) ([]graph.PhoneNumber, error) {
	return cached(ctx, w, w.phones, "phones/"+wabaID, wabaID, maxAge, func(ctx context.Context) ([]graph.PhoneNumber, error) {
		return c.ListPhoneNumbers(ctx, wabaID)
	})
}

// templateList returns the WABA's templates, at most maxAge old.
func (w *wabaListings) templateList(ctx context.Context, c *graph.Client, wabaID string, maxAge time.Duration) ([]graph.Template, error) {
	return cached(ctx, w, w.templates, "templates/"+wabaID, wabaID, maxAge, func(ctx context.Context) ([]graph.Template, error) {
		return c.ListTemplates(ctx, wabaID, graph.TemplateFilter{})
	})
}

// templateAge is how old the WABA's template listing is (a large value when
// there is none).
func (w *wabaListings) templateAge(wabaID string) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	l, ok := w.templates[wabaID]
	if !ok {
		return time.Duration(1<<62 - 1)
	}
	return w.now().Sub(l.fetchedAt)
}

// putTemplate records what a create or edit told us, so the next reconcile
// does not need a listing to see it.
func (w *wabaListings) putTemplate(wabaID string, t graph.Template) {
	w.mu.Lock()
	defer w.mu.Unlock()
	l, ok := w.templates[wabaID]
	if !ok {
		return
	}
	items := make([]graph.Template, 0, len(l.items)+1)
	for _, x := range l.items {
		if x.ID != t.ID {
			items = append(items, x)
		}
	}
	w.templates[wabaID] = listing[graph.Template]{items: append(items, t), fetchedAt: l.fetchedAt}
}

// removeTemplate forgets a template deleted at Meta.
func (w *wabaListings) removeTemplate(wabaID, id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	l, ok := w.templates[wabaID]
	if !ok {
		return
	}
	items := make([]graph.Template, 0, len(l.items))
	for _, x := range l.items {
		if x.ID != id {
			items = append(items, x)
		}
	}
	w.templates[wabaID] = listing[graph.Template]{items: items, fetchedAt: l.fetchedAt}
}

func cached[T any](ctx context.Context, w *wabaListings, m map[string]listing[T], key, wabaID string, maxAge time.Duration,
	fetch func(context.Context) ([]T, error)) ([]T, error) {
	w.mu.Lock()
	l, ok := m[wabaID]
	w.mu.Unlock()
	if ok && w.now().Sub(l.fetchedAt) < maxAge {
		return l.items, nil
	}
	v, err, _ := w.group.Do(key, func() (any, error) {
		// Another caller may have refreshed it while we waited.
		w.mu.Lock()
		l, ok := m[wabaID]
		w.mu.Unlock()
		if ok && w.now().Sub(l.fetchedAt) < maxAge {
			return l.items, nil
		}
		items, err := fetch(ctx)
		if err != nil {
			return nil, err
		}
		w.mu.Lock()
		m[wabaID] = listing[T]{items: items, fetchedAt: w.now()}
		w.mu.Unlock()
		return items, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]T), nil
}
