package chatpage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/hack/demo/simctl"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// maxActionBody fits a 5 MB picture in base64 with its JSON.
const maxActionBody = 8 << 20

// UserMessage is what the page sends as the WhatsApp user.
type UserMessage struct {
	// Channel is the business number's phone number id.
	Channel string `json:"channel"`
	// Type is text, image, button_reply, list_reply or button.
	Type          string `json:"type"`
	Text          string `json:"text,omitempty"`
	ReplyTo       string `json:"replyTo,omitempty"`
	ReplyID       string `json:"replyID,omitempty"`
	Title         string `json:"title,omitempty"`
	Description   string `json:"description,omitempty"`
	ImageMIMEType string `json:"imageMIMEType,omitempty"`
	ImageData     []byte `json:"imageData,omitempty"`
	// MessageID resends a message whose webhook failed (Meta's retry).
	MessageID string `json:"messageID,omitempty"`
}

// Faults the page can inject, as Meta having a bad minute.
const (
	faultServerErrors = "server_errors"
	faultRateLimit    = "rate_limit"
	faultClear        = "clear"
)

// registerActions adds the page's actions: the user's phone and Meta.
func (s *Server) registerActions(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/messages", s.postMessage)
	mux.HandleFunc("POST /api/read", action(func(ctx context.Context, b struct{ Channel, MessageID string }) error {
		return s.opts.Sim.ReadByUser(ctx, b.Channel, b.MessageID)
	}))
	mux.HandleFunc("POST /api/templates/decision", action(func(ctx context.Context, b struct{ TemplateID, Status string }) error {
		if b.Status != graphsim.StatusApproved && b.Status != graphsim.StatusRejected {
			return errors.New("decide APPROVED or REJECTED")
		}
		reason := ""
		if b.Status == graphsim.StatusRejected {
			reason = "INVALID_FORMAT"
		}
		return s.opts.Sim.SetTemplateStatus(ctx, b.TemplateID, b.Status, reason)
	}))
	mux.HandleFunc("POST /api/window", action(func(ctx context.Context, b struct {
		Channel string
		Closed  bool
	}) error {
		return s.opts.Sim.SetWindow(ctx, b.Channel, s.opts.UserWaID, b.Closed)
	}))
	mux.HandleFunc("POST /api/quality", action(func(ctx context.Context, b struct{ Channel, Rating string }) error {
		if b.Rating != "GREEN" && b.Rating != "YELLOW" && b.Rating != "RED" {
			return errors.New("quality is GREEN, YELLOW or RED")
		}
		return s.opts.Sim.SetQuality(ctx, b.Channel, b.Rating)
	}))
	mux.HandleFunc("POST /api/faults", action(func(ctx context.Context, b struct{ Kind string }) error {
		return s.injectFault(ctx, b.Kind)
	}))
}

// action decodes a JSON body into B, runs fn and answers 200 or the error.
func action[B any](fn func(context.Context, B) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var b B
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxActionBody)).Decode(&b); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		if err := fn(r.Context(), b); err != nil {
			status := http.StatusBadRequest
			var se *simctl.Error
			if errors.As(err, &se) {
				status = se.Status
			}
			writeJSON(w, status, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	}
}

// postMessage sends the user's message through the simulated Meta: the
// bubble appears at once with a clock, then two ticks when the business's
// webhook took it, or a failure the user can retry.
func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) {
	var m UserMessage
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxActionBody)).Decode(&m); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	in := graphsim.UserMessage{From: s.opts.UserWaID, Name: s.opts.UserName, Type: m.Type, Text: m.Text,
		ReplyTo: m.ReplyTo, ReplyID: m.ReplyID, Title: m.Title, Description: m.Description,
		ImageMIMEType: m.ImageMIMEType, ImageData: m.ImageData, MessageID: m.MessageID}
	// The user wrote before the bot could answer: the bubble's time is
	// the send's start, so it sorts before the replies it caused.
	sent := time.Now()
	res, err := s.opts.Sim.SendFromUser(r.Context(), m.Channel, in)
	if err != nil {
		status := http.StatusBadGateway
		var se *simctl.Error
		if errors.As(err, &se) {
			status = se.Status
		}
		writeJSON(w, status, map[string]string{"error": err.Error()})
		return
	}
	b := userBubble(m)
	b.ID, b.At = res.MessageID, sent
	if res.MediaID != "" {
		b.ImageURL = mediaURL(res.MediaID)
	}
	b.Ticks = ticksDelivered
	if res.StatusCode != http.StatusOK {
		retry := m
		retry.MessageID = res.MessageID
		b.Ticks, b.Retry = ticksFailed, &retry
		b.Note = "the business's webhook server answered " + answer(res.StatusCode, res.Error) + "; Meta would retry: tap to resend"
	}
	if old, ok := s.talk.get(b.ID); ok && old.Ticks == ticksRead {
		b.Ticks = ticksRead // a retry of a message the bot read already
	}
	s.hub.publish("bubble", s.talk.put(b))
	writeJSON(w, http.StatusOK, b)
}

// userBubble is how the user's own message shows.
func userBubble(m UserMessage) Bubble {
	b := Bubble{Channel: m.Channel, From: fromUser, Kind: "text", Text: m.Text}
	switch m.Type {
	case graphsim.UserImage:
		b.Kind = "image"
	case graphsim.UserButtonReply, graphsim.UserListReply, graphsim.UserButton:
		b.Text = m.Title
		b.Note = "tapped " + m.Title
	}
	return b
}

// injectFault makes the simulated Meta fail the operator's calls and asks
// the operator to look at the provider now (its sync interval is 10
// minutes), so its backoff and recovery show at once.
func (s *Server) injectFault(ctx context.Context, kind string) error {
	var f graphsim.Fault
	switch kind {
	case faultClear:
		return s.opts.Sim.ClearFaults(ctx)
	case faultServerErrors:
		// Four 500s on the provider's first call: retried after 1, 2, 4
		// and 8 s by the operator's backoff, then it recovers.
		f = graphsim.Fault{Endpoint: graphsim.EndpointGetBusinessAccount, Kind: graphsim.FaultServerError, Status: http.StatusInternalServerError, Times: 4}
	case faultRateLimit:
		// Meta's 80007: the operator waits the minute Meta names.
		f = graphsim.Fault{Endpoint: graphsim.EndpointGetBusinessAccount, Kind: graphsim.FaultRateLimit, Code: 80007, RegainMinutes: 1, Times: 1}
	default:
		return fmt.Errorf("unknown fault %q", kind)
	}
	if err := s.opts.Sim.InjectFault(ctx, f); err != nil {
		return err
	}
	return s.requestReconcile(ctx)
}

// requestReconcile annotates the demo's MetaProvider as `kubectl annotate`
// would, asking the operator to reconcile it now: the only cluster write
// the page makes.
func (s *Server) requestReconcile(ctx context.Context) error {
	p := &whatsappv1alpha1.MetaProvider{}
	if err := s.kube.Get(ctx, client.ObjectKey{Namespace: s.opts.Namespace, Name: s.opts.Provider}, p); err != nil {
		return err
	}
	patch := client.MergeFrom(p.DeepCopy())
	if p.Annotations == nil {
		p.Annotations = map[string]string{}
	}
	p.Annotations[whatsappv1alpha1.ReconcileRequestAnnotation] = time.Now().UTC().Format(time.RFC3339Nano)
	return s.kube.Patch(ctx, p, patch)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeEvent writes one server-sent event.
func writeEvent(w http.ResponseWriter, event string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data)
	return err
}
