// Package chatpage is the demo's chat page: a loopback web server whose
// page (plain HTML, CSS and JavaScript embedded in the binary) lets you
// talk to the chatbot as a WhatsApp user and act as Meta, with live
// updates over server-sent events.
//
// Everything the page does is a simulator action (the user's phone, Meta's
// review and controls, through graphsim's control surface) or a reconcile
// request on the demo's own MetaProvider; it writes nothing else to the
// cluster. What it shows comes from the simulator's events (what the
// business sent, the status webhooks Meta delivered) and from the API
// server (the objects, as `kubectl get whatsapp` prints them).
package chatpage

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubechat/whatsapp-operator/hack/demo/simctl"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
	"github.com/kubechat/whatsapp-operator/internal/testenv"
)

//go:embed static
var static embed.FS

// Options configure the page.
type Options struct {
	// Sim is the simulated Meta.
	Sim *simctl.Client
	// RestConfig reaches the API server; Namespace and Provider are the
	// demo's, the only objects the page reads or annotates.
	RestConfig          *rest.Config
	Namespace, Provider string
	// UserWaID and UserName are the WhatsApp user the page's visitor plays.
	UserWaID, UserName string
	Logger             logr.Logger
}

// Server serves the page.
type Server struct {
	opts      Options
	kube      client.WithWatch
	rest      *rest.Config
	hub       *hub
	talk      *transcript
	templates *templateCache

	mu      sync.Mutex
	objects Objects
}

// New returns a page server.
func New(o Options) (*Server, error) {
	kube, err := client.NewWithWatch(o.RestConfig, client.Options{Scheme: testenv.Scheme()})
	if err != nil {
		return nil, err
	}
	if o.Logger.GetSink() == nil {
		o.Logger = logr.Discard()
	}
	s := &Server{opts: o, kube: kube, rest: o.RestConfig, hub: newHub(), talk: newTranscript()}
	s.templates = newTemplateCache(o.Sim)
	return s, nil
}

// Serve serves the page on l until ctx ends, following the simulator and
// the API server meanwhile.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.followSimulator(ctx) }()
	go func() { defer wg.Done(); s.followObjects(ctx) }()
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		shutdown, stop := context.WithTimeout(context.Background(), 5*time.Second)
		err = srv.Shutdown(shutdown)
		stop()
	}
	cancel()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Handler routes the page's requests.
func (s *Server) Handler() http.Handler {
	files, _ := fs.Sub(static, "static")
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServerFS(files))
	mux.HandleFunc("GET /events", s.serveEvents)
	mux.HandleFunc("GET /media/{id}", s.serveMedia)
	s.registerActions(mux)
	return guard(mux)
}

// snapshot is what a page gets when it connects.
type snapshot struct {
	User    user     `json:"user"`
	Bubbles []Bubble `json:"bubbles"`
	Objects Objects  `json:"objects"`
}

type user struct {
	WaID string `json:"waID"`
	Name string `json:"name"`
}

// serveEvents streams server-sent events: a snapshot, then every change.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	ch, ok := s.hub.subscribe()
	if !ok {
		http.Error(w, "too many pages are open", http.StatusServiceUnavailable)
		return
	}
	defer s.hub.unsubscribe(ch)
	w.Header().Set("Content-Type", "text/event-stream")
	s.mu.Lock()
	snap := snapshot{User: user{WaID: s.opts.UserWaID, Name: s.opts.UserName}, Bubbles: s.talk.all(), Objects: s.objects}
	s.mu.Unlock()
	if err := writeEvent(w, "snapshot", snap); err != nil {
		return
	}
	flusher.Flush()
	keepAlive := time.NewTicker(20 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case f, open := <-ch:
			if !open {
				return // too slow: the page reconnects
			}
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", f.event, f.data); err != nil {
				return
			}
		case <-keepAlive.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
		case <-r.Context().Done():
			return
		}
		flusher.Flush()
	}
}

// serveMedia shows media the business uploaded or the user sent, from the
// simulator, as an image only.
func (s *Server) serveMedia(w http.ResponseWriter, r *http.Request) {
	data, mimeType, err := s.opts.Sim.Media(r.Context(), r.PathValue("id"))
	if err != nil {
		http.Error(w, "no such media", http.StatusNotFound)
		return
	}
	if !imageTypes[mimeType] {
		http.Error(w, "only images are shown", http.StatusUnsupportedMediaType)
		return
	}
	w.Header().Set("Content-Type", mimeType)
	_, _ = w.Write(data)
}

// imageTypes are the images the page shows.
var imageTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/webp": true}

func mediaURL(id string) string { return "/media/" + url.PathEscape(id) }

// followSimulator applies the simulator's events to the conversations
// until ctx ends: what the business sent becomes a bubble, a status webhook
// delivered moves its ticks, a read receipt colours the user's.
func (s *Server) followSimulator(ctx context.Context) {
	var after int64
	for ctx.Err() == nil {
		events, err := s.opts.Sim.Events(ctx, after, 20*time.Second)
		if err != nil {
			s.opts.Logger.V(1).Info("reading the simulator's events", "error", err.Error())
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
			continue
		}
		for _, e := range events {
			after = max(after, e.Seq)
			s.apply(ctx, e)
		}
	}
}

// apply turns one simulator event into a bubble change.
func (s *Server) apply(ctx context.Context, e graphsim.Event) {
	switch e.Kind {
	case graphsim.EventSent:
		m := e.Message
		b := renderSent(m.Body, s.templates.lookup(ctx), mediaURL)
		b.ID, b.Channel, b.From, b.At, b.Ticks = m.ID, m.PhoneNumberID, fromBusiness, m.SentAt, ticksPending
		s.hub.publish("bubble", s.talk.put(b))
	case graphsim.EventStatus:
		ticks, note := e.Status, ""
		if e.StatusCode != http.StatusOK {
			// Meta retries a status webhook the business did not take;
			// the phone's tick is real all the same.
			note = fmt.Sprintf("the %s status webhook got %s", e.Status, answer(e.StatusCode, e.Error))
		}
		if b, changed := s.talk.tick(e.MessageID, ticks, note); changed {
			s.hub.publish("bubble", b)
		}
	case graphsim.EventReadByBusiness:
		if b, changed := s.talk.tick(e.MessageID, ticksRead, ""); changed {
			s.hub.publish("bubble", b)
		}
	}
}

func answer(code int, err string) string {
	if code == 0 {
		return "no answer (" + err + ")"
	}
	return fmt.Sprintf("HTTP %d", code)
}
