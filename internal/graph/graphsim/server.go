package graphsim

import (
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

const (
	maxRequestBody = 64 << 20
	firstID        = 100000000000000
)

// Options configures a Server. The zero value is a usable simulator with
// manual template review and no rate-limit enforcement.
type Options struct {
	// Seed seeds fault rates and fbtrace ids; runs with the same seed and
	// the same calls behave the same. Default 1.
	Seed uint64
	// Clock returns the current time (review timers, token expiry, usage
	// windows, edit budgets). Default time.Now.
	Clock func() time.Time
	// ReviewDelay and ReviewOutcome decide new and edited templates
	// automatically after the delay. An empty ReviewOutcome.Status keeps
	// them PENDING until SetTemplateStatus.
	ReviewDelay   time.Duration
	ReviewOutcome Review
	// EnforceRateLimits answers 80007 once a WABA spends its hourly
	// management budget (200 calls, 5,000 with a registered number) and
	// refuses the 101st template creation in an hour.
	EnforceRateLimits bool
	// MessagesPerSecond, when set, answers 130429 to a phone number's send
	// beyond that many accepted in one second (throughput.go).
	MessagesPerSecond int
	// VerifyCallbacks makes a subscribe with override_callback_uri perform
	// Meta's GET verification handshake first (error 2200 when it fails).
	VerifyCallbacks bool
	// HTTPClient sends webhooks and verification handshakes. Default: a
	// client with a 10-second timeout.
	HTTPClient *http.Client
	// StatusWebhooks makes every accepted message cause Meta's "sent" and
	// "delivered" status webhooks to the WABA's messages callback (the
	// subscription's override, else the app's callback), as the user's phone
	// receiving it does; ReadByUser sends "read". Off, sends cause no
	// webhook (tests that count what a chatbot received).
	StatusWebhooks bool
	// Latency holds every Graph API call this long before serving it:
	// Meta's processing time and the network, for benchmarks that measure
	// the regime real traffic lives in (latency.go).
	Latency time.Duration
}

// Server is the simulator: an http.Handler over its in-memory state.
type Server struct {
	opts Options
	now  func() time.Time

	mu        sync.Mutex
	rng       *rand.Rand
	nextID    int64
	apps      map[string]*App
	tokens    map[string]*Token
	wabas     map[string]*wabaState
	phones    map[string]*phoneState
	templates map[string]*Template
	kinds     map[string]string // every id ever issued → object kind
	media     map[string]Media
	uploads   uploadState // Resumable Upload API sessions and handles (uploads.go)
	sent      []SentMessage
	// sendSeconds counts accepted sends per number and second (throughput.go).
	sendSeconds map[string]map[int64]int
	calls       map[string]int
	total       int
	refusals    int // answers refused for Meta's hourly budgets (EnforceRateLimits)
	faults      []*faultState
	review      Review
	delay       time.Duration
	reviews     map[string]pendingReview
	outbox      []outboundWebhook
	delivered   []Delivery
	eventLog    eventLog
	// userMessages counts SendFromUser's messages (their wamids).
	userMessages int
	mediaBytes   mediaStore // bytes of small media, for the demo's page (mediabytes.go)
	timers       []*time.Timer
	closed       bool

	deliveries sync.WaitGroup
	control    http.Handler
}

// wabaState is a WABA with what hangs off it.
type wabaState struct {
	WABA
	phones        []string
	subscriptions []Subscription
	callTimes     []time.Time
	createTimes   []time.Time
	usage         *Usage
	tombstones    []tombstone
}

// phoneState is a phone number with its profile and closed windows.
type phoneState struct {
	PhoneNumber
	wabaID  string
	profile BusinessProfile
	pin     string
	closed  map[string]bool // recipients (digits) whose window is closed; "*" = all
	// registerAttempts are the times of register calls (registration.go).
	registerAttempts []time.Time
}

// tombstone holds a deleted approved template's name+language for 30 days.
type tombstone struct {
	name, language string
	at             time.Time
}

// New returns an empty simulator.
func New(opts Options) *Server {
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Server{
		opts:      opts,
		now:       opts.Clock,
		rng:       rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		nextID:    firstID,
		apps:      map[string]*App{},
		tokens:    map[string]*Token{},
		wabas:     map[string]*wabaState{},
		phones:    map[string]*phoneState{},
		templates: map[string]*Template{},
		kinds:     map[string]string{},
		media:     map[string]Media{},
		calls:     map[string]int{},
		review:    opts.ReviewOutcome,
		reviews:   map[string]pendingReview{},
		delay:     opts.ReviewDelay,
	}
	s.control = s.controlHandler()
	return s
}

// Close stops review timers and waits for webhook deliveries in flight.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for _, t := range s.timers {
		t.Stop()
	}
	s.timers = nil
	s.mu.Unlock()
	s.deliveries.Wait()
}

// ServeHTTP serves the Graph API under /vNN.N/ and the control surface
// under /_sim/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if isControlPath(r.URL.Path) {
		s.control.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	if !s.awaitLatency(r) {
		return
	}
	s.mu.Lock()
	rt := s.resolveLocked(r.Method, r.URL.Path)
	s.calls[rt.endpoint]++
	s.total++
	s.recordCallLocked(rt.waba)
	fault := s.pickFaultLocked(rt.endpoint)
	s.mu.Unlock()

	if fault != nil && fault.Kind == FaultLateAnswer {
		s.answerLate(w, r, &request{r: r, body: body, route: rt}, fault.Delay)
		return
	}
	if fault != nil && s.applyFault(w, r, fault, rt) {
		return
	}
	s.dispatch(w, &request{r: r, body: body, route: rt})
}

// dispatch authorizes and runs a request, then writes the answer with the
// WABA's usage header. The lock is released between resolving the route in
// ServeHTTP (a slow fault sleeps there) and here, and around a route's
// prepare, so each locked section resolves the route again: an object
// deleted in between is answered as missing, never dereferenced.
func (s *Server) dispatch(w http.ResponseWriter, req *request) {
	var merr *metaError
	if req.route.prepare != nil {
		if merr = s.admit(req); merr == nil {
			merr = req.route.prepare(req)
		}
	}
	out, merr, header := s.serve(req, merr)
	s.flushOutbox()

	if header != "" {
		w.Header().Set(headerBusinessUsage, header)
	}
	if merr != nil {
		s.writeError(w, merr)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// admit resolves req's route afresh and authorizes it, before a prepare
// that runs without the lock.
func (s *Server) admit(req *request) *metaError {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	s.reresolveLocked(req)
	return s.authorizeLocked(req)
}

// serve resolves req's route afresh, authorizes it and, when merr (from
// admit or prepare) is nil, runs its handler, all under one lock; it returns
// the answer and the usage header.
func (s *Server) serve(req *request, merr *metaError) (out any, _ *metaError, header string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if merr == nil {
		s.settleLocked()
		s.reresolveLocked(req)
		merr = s.authorizeLocked(req)
	}
	if merr == nil {
		merr = s.enforceBudgetLocked(req.route)
	}
	if merr == nil {
		out, merr = req.route.handle(req)
	}
	regain := 0
	if merr != nil {
		regain = merr.regainMinutes
	}
	if req.token != nil {
		header = s.usageHeaderLocked(req.route.waba, regain)
	}
	return out, merr, header
}

// reresolveLocked resolves req's route again so the handler sees the
// objects as they are now. s.mu must be held.
func (s *Server) reresolveLocked(req *request) {
	req.route = s.resolveLocked(req.r.Method, req.r.URL.Path)
}

// newIDLocked issues a numeric id like Meta's.
func (s *Server) newIDLocked(kind string) string {
	id := ""
	for id == "" || s.kinds[id] != "" || s.apps[id] != nil {
		s.nextID++
		id = strconv.FormatInt(s.nextID, 10)
	}
	s.kinds[id] = kind
	return id
}
