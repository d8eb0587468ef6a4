package graph

import (
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Sizes of the shared caches. They bound memory whatever the number of
// objects the operator manages; an evicted entry only loses history.
const (
	wabaCacheSize   = 4096
	objectCacheSize = 65536
	appCacheSize    = 1024
)

// shared is the state every client of one Factory shares: per-WABA limiters
// and usage readings, per-credential app usage readings, the WABA each
// phone number or template belongs to, template statuses, and template edit
// budgets. Keys are object ids or hashes of credentials, never credentials.
//
// One Factory serves several Meta apps. X-App-Usage is one app's budget, so
// it is kept per client credential (a token belongs to one app, and every
// answer to any token of the app carries the app-wide reading): one app's
// usage never slows another app's calls.
type shared struct {
	limits Limits
	now    func() time.Time

	mu      sync.Mutex
	wabas   *lru.Cache[string, *wabaState]
	objects *lru.Cache[string, objectInfo]
	apps    *lru.Cache[string, *appState]
	edits   *editBudget
}

// wabaState is one WABA's budgets and latest usage reading: this process's
// management calls and template creations over Meta's rolling hour, its
// latest call (pacing past the usage threshold spaces calls from it), and
// Meta's own block.
type wabaState struct {
	mgmt, create hourWindow
	registered   bool
	lastCall     time.Time
	percent      int
	blockedUntil time.Time
	observedAt   time.Time
}

// appState is the latest X-App-Usage reading of one app credential.
type appState struct {
	percent      int
	blockedUntil time.Time
	observedAt   time.Time
}

// objectInfo is what the client learned about a phone number or template.
type objectInfo struct {
	waba   string
	status string
}

func newShared(cfg Config) *shared {
	wabas, _ := lru.New[string, *wabaState](wabaCacheSize)
	objects, _ := lru.New[string, objectInfo](objectCacheSize)
	apps, _ := lru.New[string, *appState](appCacheSize)
	return &shared{
		limits:  cfg.Limits,
		now:     cfg.Clock,
		wabas:   wabas,
		objects: objects,
		apps:    apps,
		edits:   newEditBudget(),
	}
}

// appLocked returns the app usage state for an app credential key, or nil
// for an empty key (no app: Factory.Usage). It creates the state only when
// create is set. s.mu must be held.
func (s *shared) appLocked(key string, create bool) *appState {
	if key == "" {
		return nil
	}
	if a, ok := s.apps.Get(key); ok {
		return a
	}
	if !create {
		return nil
	}
	a := &appState{}
	s.apps.Add(key, a)
	return a
}

// wabaLocked returns the state for key, creating it. s.mu must be held.
func (s *shared) wabaLocked(key string) *wabaState {
	if w, ok := s.wabas.Get(key); ok {
		return w
	}
	w := &wabaState{}
	s.wabas.Add(key, w)
	return w
}

// learnObject records that object id belongs to waba (and, for templates,
// its status). An empty waba keeps what was known.
func (s *shared) learnObject(id, waba, status string) {
	if id == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, _ := s.objects.Get(id)
	if waba != "" {
		prev.waba = waba
	}
	if status != "" {
		prev.status = status
	}
	s.objects.Add(id, prev)
}

// object returns what is known about id.
func (s *shared) object(id string) objectInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	info, _ := s.objects.Get(id)
	return info
}

// limiterKey is the WABA whose budget a call spends: the WABA itself, or the
// WABA a phone number or template was seen in, or, when unknown, the object.
func (s *shared) limiterKey(waba, object string) string {
	if waba != "" {
		return waba
	}
	if info := s.object(object); info.waba != "" {
		return info.waba
	}
	return "object:" + object
}

// usage returns the latest reading for a WABA, folding in the app usage of
// the app credential appKey (none when empty).
func (s *shared) usage(appKey, waba string) UsageReading {
	s.mu.Lock()
	defer s.mu.Unlock()
	var r UsageReading
	if a := s.appLocked(appKey, false); a != nil {
		r = UsageReading{Percent: a.percent, BlockedUntil: a.blockedUntil, ObservedAt: a.observedAt}
	}
	w, ok := s.wabas.Get(waba)
	if !ok {
		return r
	}
	r.Percent = max(r.Percent, w.percent)
	if w.blockedUntil.After(r.BlockedUntil) {
		r.BlockedUntil = w.blockedUntil
	}
	if w.observedAt.After(r.ObservedAt) {
		r.ObservedAt = w.observedAt
	}
	return r
}
