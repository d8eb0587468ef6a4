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
	// recent are templates this operator created or edited, by WABA, with
	// when: a listing that started before such a change does not know it,
	// so they are laid over listings that started earlier.
	recent map[string][]recentTemplate
}

type recentTemplate struct {
	t  graph.Template
	at time.Time
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
		recent:    map[string][]recentTemplate{},
	}
}

// phoneNumbers returns the WABA's phone numbers, at most maxAge old.
func (w *wabaListings) phoneNumbers(ctx context.Context, c *graph.Client, wabaID string, maxAge time.Duration) ([]graph.PhoneNumber, error) {
	return cached(ctx, w, w.phones, "phones/"+wabaID, wabaID, maxAge, func(ctx context.Context) ([]graph.PhoneNumber, error) {
		return c.ListPhoneNumbers(ctx, wabaID)
	})
}

// putPhone records what the operator changed on a number (registered it),
// so reconciles reading the listing before its next refresh see it.
func (w *wabaListings) putPhone(wabaID string, n graph.PhoneNumber) {
	w.mu.Lock()
	defer w.mu.Unlock()
	l, ok := w.phones[wabaID]
	if !ok {
		return
	}
	items := make([]graph.PhoneNumber, len(l.items))
	for i, x := range l.items {
		if x.ID == n.ID {
			x = n
		}
		items[i] = x
	}
	w.phones[wabaID] = listing[graph.PhoneNumber]{items: items, fetchedAt: l.fetchedAt}
}

// templateList returns the WABA's templates, at most maxAge old.
func (w *wabaListings) templateList(ctx context.Context, c *graph.Client, wabaID string, maxAge time.Duration) ([]graph.Template, error) {
	return cached(ctx, w, w.templates, "templates/"+wabaID, wabaID, maxAge, func(ctx context.Context) ([]graph.Template, error) {
		started := w.now()
		list, err := c.ListTemplates(ctx, wabaID, graph.TemplateFilter{})
		if err != nil {
			return nil, err
		}
		return w.overlayRecent(wabaID, list, started), nil
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
// does not need a listing to see it, and a listing already under way does
// not forget it.
func (w *wabaListings) putTemplate(wabaID string, t graph.Template) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	recent := []recentTemplate{{t: t, at: now}}
	for _, r := range w.recent[wabaID] {
		if r.t.ID != t.ID && now.Sub(r.at) < recentTemplateMemory {
			recent = append(recent, r)
		}
	}
	w.recent[wabaID] = recent
	if l, ok := w.templates[wabaID]; ok {
		w.templates[wabaID] = listing[graph.Template]{items: replaceTemplate(l.items, t), fetchedAt: l.fetchedAt}
	}
}

// recentTemplateMemory bounds how long a change is laid over listings: far
// longer than one listing takes.
const recentTemplateMemory = 5 * time.Minute

// overlayRecent lays the changes made after a listing started over it.
func (w *wabaListings) overlayRecent(wabaID string, list []graph.Template, started time.Time) []graph.Template {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, r := range w.recent[wabaID] {
		if !r.at.Before(started) {
			list = replaceTemplate(list, r.t)
		}
	}
	return list
}

// replaceTemplate returns items with t in place of the entry with its id.
func replaceTemplate(items []graph.Template, t graph.Template) []graph.Template {
	out := make([]graph.Template, 0, len(items)+1)
	for _, x := range items {
		if x.ID != t.ID {
			out = append(out, x)
		}
	}
	return append(out, t)
}

// removeTemplate forgets a template deleted at Meta.
func (w *wabaListings) removeTemplate(wabaID, id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	recent := w.recent[wabaID][:0:0]
	for _, r := range w.recent[wabaID] {
		if r.t.ID != id {
			recent = append(recent, r)
		}
	}
	w.recent[wabaID] = recent
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
	asked := w.now()
	// fresh returns the listing when it started less than maxAge before
	// this call was made.
	fresh := func() ([]T, bool) {
		w.mu.Lock()
		defer w.mu.Unlock()
		l, ok := m[wabaID]
		return l.items, ok && asked.Sub(l.fetchedAt) < maxAge
	}
	if items, ok := fresh(); ok {
		return items, nil
	}
	// Joining a listing already under way is right only if it started
	// recently enough; otherwise one more round starts a new one.
	for range 2 {
		_, err, _ := w.group.Do(key, func() (any, error) {
			if _, ok := fresh(); ok {
				return nil, nil
			}
			// A listing is as old as the moment it started: a change made
			// while it ran may be missing from it.
			started := w.now()
			items, err := fetch(ctx)
			if err != nil {
				return nil, err
			}
			w.mu.Lock()
			m[wabaID] = listing[T]{items: items, fetchedAt: started}
			w.mu.Unlock()
			return nil, nil
		})
		if err != nil {
			return nil, err
		}
		if items, ok := fresh(); ok {
			return items, nil
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return m[wabaID].items, nil
}
