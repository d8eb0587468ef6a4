package graphsim

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// Bounds of the user-side control calls.
const (
	// maxUserMessageBody fits a 5 MB image in base64 with its JSON.
	maxUserMessageBody = 8 << 20
	// maxEventsWait bounds a long poll of GET /_sim/events.
	maxEventsWait = 30 * time.Second
)

// registerUserControls adds the calls that act as a WhatsApp user's phone,
// and what the demo's chat page reads:
//
//	POST /_sim/phone_numbers/{id}/messages  UserMessage: the user writes; answers UserMessageResult
//	POST /_sim/phone_numbers/{id}/statuses  {"message_id","status":"read"}: the user read a message
//	GET  /_sim/events?after=N&wait=20s      events after N (long poll): {"events":[...]}
//	GET  /_sim/media/{id}                   the bytes of uploaded media
func (s *Server) registerUserControls(mux *http.ServeMux) {
	mux.HandleFunc("POST /_sim/phone_numbers/{id}/messages", s.controlUserMessage)
	mux.HandleFunc("POST /_sim/phone_numbers/{id}/statuses", func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			MessageID string `json:"message_id"`
			Status    string `json:"status"`
		}
		controlDo(w, r, &b, func() error {
			if b.Status != MessageRead {
				return errors.New(`status must be "read": sent and delivered follow every message by themselves`)
			}
			return s.ReadByUser(r.PathValue("id"), b.MessageID)
		})
	})
	mux.HandleFunc("GET /_sim/events", s.controlEvents)
	mux.HandleFunc("GET /_sim/media/{id}", func(w http.ResponseWriter, r *http.Request) {
		data, mimeType, ok := s.MediaBytes(r.PathValue("id"))
		if !ok {
			controlError(w, http.StatusNotFound, "no media kept with this id")
			return
		}
		w.Header().Set("Content-Type", mimeType)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		_, _ = w.Write(data)
	})
}

func (s *Server) controlUserMessage(w http.ResponseWriter, r *http.Request) {
	var m UserMessage
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxUserMessageBody)).Decode(&m); err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	res, err := s.SendFromUser(r.Context(), r.PathValue("id"), m)
	switch {
	case errors.Is(err, ErrNotFound):
		controlError(w, http.StatusNotFound, err.Error())
	case err != nil:
		controlError(w, http.StatusBadRequest, err.Error())
	default:
		writeJSON(w, http.StatusOK, res)
	}
}

func (s *Server) controlEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, err := strconv.ParseInt(q.Get("after"), 10, 64)
	if q.Get("after") != "" && (err != nil || after < 0) {
		controlError(w, http.StatusBadRequest, "after must be a sequence number")
		return
	}
	wait := time.Duration(0)
	if v := q.Get("wait"); v != "" {
		if wait, err = time.ParseDuration(v); err != nil || wait < 0 {
			controlError(w, http.StatusBadRequest, errBadDuration)
			return
		}
	}
	events := s.Events(r.Context(), after, min(wait, maxEventsWait))
	if events == nil {
		events = []Event{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": events})
}
