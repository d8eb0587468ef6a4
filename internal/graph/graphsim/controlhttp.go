package graphsim

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// ControlPrefix is the path prefix of the HTTP control surface. It has no
// authentication: it is for tests and the demo, never for a shared network.
const ControlPrefix = "/_sim/"

const (
	errNoAppForWebhook = "give app_id of a known app or app_secret"
	errBadDuration     = "delay must be a Go duration such as 10s"
)

func isControlPath(p string) bool { return strings.HasPrefix(p, ControlPrefix) }

// controlHandler serves the control surface:
//
//	GET    /_sim/state                      snapshot of everything (no secrets)
//	GET    /_sim/calls                      call counts per endpoint
//	DELETE /_sim/calls                      reset call counts
//	POST   /_sim/faults                     inject a Fault (delay as "2s")
//	DELETE /_sim/faults                     clear faults
//	POST   /_sim/templates/{id}/status      {"status","reason"}
//	POST   /_sim/review                     {"delay":"10s","status","reason"}
//	POST   /_sim/phone_numbers/{id}/quality {"quality_rating"}
//	POST   /_sim/phone_numbers/{id}/windows {"recipient","closed"}
//	POST   /_sim/tokens/revoke              {"token"}
//	POST   /_sim/usage/{waba}               Usage; DELETE clears it
//	POST   /_sim/webhooks                   {"url","app_id"|"app_secret","payload"}
//
// and the user's side (controlhttp_user.go).
func (s *Server) controlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_sim/state", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.Snapshot())
	})
	mux.HandleFunc("GET /_sim/calls", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"calls": s.CallCounts(), "total": s.TotalCalls()})
	})
	mux.HandleFunc("DELETE /_sim/calls", func(w http.ResponseWriter, _ *http.Request) {
		s.ResetCalls()
		writeJSON(w, http.StatusOK, success())
	})
	mux.HandleFunc("POST /_sim/faults", s.controlInjectFault)
	mux.HandleFunc("DELETE /_sim/faults", func(w http.ResponseWriter, _ *http.Request) {
		s.ClearFaults()
		writeJSON(w, http.StatusOK, success())
	})
	mux.HandleFunc("POST /_sim/templates/{id}/status", func(w http.ResponseWriter, r *http.Request) {
		var b struct{ Status, Reason string }
		controlDo(w, r, &b, func() error { return s.SetTemplateStatus(r.PathValue("id"), b.Status, b.Reason) })
	})
	mux.HandleFunc("POST /_sim/review", s.controlReview)
	mux.HandleFunc("POST /_sim/phone_numbers/{id}/quality", func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			QualityRating string `json:"quality_rating"`
		}
		controlDo(w, r, &b, func() error { return s.SetQualityRating(r.PathValue("id"), b.QualityRating) })
	})
	mux.HandleFunc("POST /_sim/phone_numbers/{id}/windows", func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			Recipient string
			Closed    bool
		}
		controlDo(w, r, &b, func() error { return s.setWindow(r.PathValue("id"), b.Recipient, b.Closed) })
	})
	mux.HandleFunc("POST /_sim/tokens/revoke", func(w http.ResponseWriter, r *http.Request) {
		var b struct{ Token string }
		controlDo(w, r, &b, func() error { return s.RevokeToken(b.Token) })
	})
	mux.HandleFunc("POST /_sim/usage/{waba}", func(w http.ResponseWriter, r *http.Request) {
		var u Usage
		controlDo(w, r, &u, func() error { return s.SetUsage(r.PathValue("waba"), u) })
	})
	mux.HandleFunc("DELETE /_sim/usage/{waba}", func(w http.ResponseWriter, r *http.Request) {
		s.ClearUsage(r.PathValue("waba"))
		writeJSON(w, http.StatusOK, success())
	})
	mux.HandleFunc("POST /_sim/webhooks", s.controlWebhook)
	s.registerUserControls(mux)
	return mux
}

// controlDo decodes the JSON body into v, runs fn and answers.
func controlDo(w http.ResponseWriter, r *http.Request, v any, fn func() error) {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := fn(); err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, ErrNotFound) {
			status = http.StatusNotFound
		}
		controlError(w, status, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, success())
}

func controlError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func (s *Server) controlInjectFault(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Fault
		Delay string `json:"delay"`
	}
	controlDo(w, r, &b, func() error {
		if b.Delay != "" {
			d, err := time.ParseDuration(b.Delay)
			if err != nil {
				return errors.New(errBadDuration)
			}
			b.Fault.Delay = d
		}
		s.InjectFault(b.Fault)
		return nil
	})
}

func (s *Server) controlReview(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Delay string `json:"delay"`
		Review
	}
	controlDo(w, r, &b, func() error {
		var d time.Duration
		if b.Delay != "" {
			var err error
			if d, err = time.ParseDuration(b.Delay); err != nil {
				return errors.New(errBadDuration)
			}
		}
		s.SetTemplateReview(d, b.Review)
		return nil
	})
}

func (s *Server) controlWebhook(w http.ResponseWriter, r *http.Request) {
	var b struct {
		URL       string          `json:"url"`
		AppID     string          `json:"app_id"`
		AppSecret string          `json:"app_secret"`
		Payload   json.RawMessage `json:"payload"`
	}
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	secret := b.AppSecret
	if secret == "" {
		s.mu.Lock()
		if app, ok := s.apps[b.AppID]; ok {
			secret = app.Secret
		}
		s.mu.Unlock()
	}
	if secret == "" || b.URL == "" {
		controlError(w, http.StatusBadRequest, errNoAppForWebhook)
		return
	}
	resp, err := s.DeliverWebhook(r.Context(), b.URL, secret, b.Payload)
	if err != nil {
		controlError(w, http.StatusBadGateway, err.Error())
		return
	}
	_ = resp.Body.Close()
	writeJSON(w, http.StatusOK, map[string]int{"status": resp.StatusCode})
}
