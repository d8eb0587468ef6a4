package graphsim

import (
	"net/http"
	"time"
)

// FaultKind is what an injected fault does.
type FaultKind string

// Fault kinds.
const (
	// FaultServerError answers Status (default 500) with Meta's generic
	// error object (code 1, or code 2 for 503).
	FaultServerError FaultKind = "server_error"
	// FaultBadGateway answers Status (default 502) with an HTML body and no
	// Graph error object, as a proxy would.
	FaultBadGateway FaultKind = "bad_gateway"
	// FaultSlow waits Delay, then serves the request normally; a client
	// with a shorter timeout sees a timeout.
	FaultSlow FaultKind = "slow"
	// FaultRateLimit answers HTTP 400 with rate-limit Code (default 80007)
	// and RegainMinutes in the usage header.
	FaultRateLimit FaultKind = "rate_limit"
	// FaultError answers Status (default 400) with Code, Subcode and
	// Message, for any other Meta error.
	FaultError FaultKind = "error"
	// FaultDisconnect closes the connection without an answer.
	FaultDisconnect FaultKind = "disconnect"
	// FaultLateAnswer serves the request at once (a template is created, a
	// message sent), then holds the answer for Delay, or until the client
	// is gone: Meta did the work and the client never learns of it.
	FaultLateAnswer FaultKind = "late_answer"
)

// Fault is an injected failure. It applies to calls of Endpoint (every
// endpoint when empty): to the next Times matching calls when Times > 0,
// otherwise until ClearFaults; and, when 0 < Rate < 1, only to that share of
// matching calls, drawn from the seeded source.
type Fault struct {
	Endpoint      string        `json:"endpoint,omitempty"`
	Kind          FaultKind     `json:"kind"`
	Times         int           `json:"times,omitempty"`
	Rate          float64       `json:"rate,omitempty"`
	Status        int           `json:"status,omitempty"`
	Code          int           `json:"code,omitempty"`
	Subcode       int           `json:"subcode,omitempty"`
	Message       string        `json:"message,omitempty"`
	Delay         time.Duration `json:"delay,omitempty"`
	RegainMinutes int           `json:"regainMinutes,omitempty"`
}

type faultState struct {
	Fault
	left int
}

// InjectFault adds a fault; faults are tried in the order added and the
// first that applies wins.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultState{Fault: f, left: f.Times})
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// pickFaultLocked returns the fault that applies to this call, if any,
// spending one of its Times.
func (s *Server) pickFaultLocked(endpoint string) *Fault {
	for i, f := range s.faults {
		if f.Endpoint != "" && f.Endpoint != endpoint {
			continue
		}
		if f.Rate > 0 && f.Rate < 1 && s.rng.Float64() >= f.Rate {
			continue
		}
		out := f.Fault
		if f.Times > 0 {
			f.left--
			if f.left <= 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return &out
	}
	return nil
}

// applyFault acts out f. It reports whether the answer was written; a slow
// fault returns false so the request is then served normally.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *Fault, rt route) bool {
	switch f.Kind {
	case FaultSlow:
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
		}
		return r.Context().Err() != nil
	case FaultDisconnect:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	case FaultBadGateway:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(orStatus(f.Status, http.StatusBadGateway))
		_, _ = w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
		return true
	}
	var merr *metaError
	switch f.Kind {
	case FaultRateLimit:
		merr = errRateLimit(orCode(f.Code, CodeWABARateLimit), f.RegainMinutes)
	case FaultError:
		merr = &metaError{status: f.Status, Code: f.Code, Subcode: f.Subcode, Type: typeOAuth, Message: f.Message}
	default:
		merr = errServer(orStatus(f.Status, http.StatusInternalServerError))
	}
	if f.Message != "" {
		merr.Message = f.Message
	}
	if f.Status != 0 {
		merr.status = f.Status
	}
	s.mu.Lock()
	header := s.usageHeaderLocked(rt.waba, merr.regainMinutes)
	s.mu.Unlock()
	if header != "" {
		w.Header().Set(headerBusinessUsage, header)
	}
	s.writeError(w, merr)
	return true
}

func orStatus(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

func orCode(v, d int) int { return orStatus(v, d) }
