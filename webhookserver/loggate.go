package webhookserver

import (
	"sync/atomic"
	"time"
)

// refusalLogPeriod is the least time between two log lines of one kind of
// refusal anyone on the internet can cause (bad signatures, refused
// handshakes, oversized or trickling bodies, no free body slot): one line
// per period says it is happening, the metrics count every occurrence.
const refusalLogPeriod = time.Minute

// Kinds of rate-limited log lines, as the suppressed-lines metric labels
// them.
const (
	logBusy        = "busy"
	logSignature   = "signature"
	logHandshake   = "handshake"
	logTooLarge    = "too_large"
	logBodyTimeout = "body_timeout"
	logLoop        = "loop"
)

// logGate lets one line through per period. It is safe for concurrent use.
type logGate struct {
	last atomic.Int64 // unix nanoseconds of the last line let through
}

// allow reports whether a line may be written now.
func (g *logGate) allow(now time.Time, period time.Duration) bool {
	n, last := now.UnixNano(), g.last.Load()
	return n-last >= int64(period) && g.last.CompareAndSwap(last, n)
}

// refusalLogs holds a gate per kind of refusal line.
type refusalLogs struct {
	gates map[string]*logGate
}

func newRefusalLogs() *refusalLogs {
	r := &refusalLogs{gates: map[string]*logGate{}}
	for _, k := range []string{logBusy, logSignature, logHandshake, logTooLarge, logBodyTimeout, logLoop} {
		r.gates[k] = &logGate{}
	}
	return r
}

// logRefusal writes a refusal line of kind at most once per
// refusalLogPeriod, and counts the lines it holds back.
func (s *Server) logRefusal(kind, msg string, kv ...any) {
	if s.refusalLogs.gates[kind].allow(time.Now(), refusalLogPeriod) {
		s.log.Info(msg, append(kv, "note", "further lines like this are counted in whatsapp_webhook_log_lines_suppressed_total for a minute")...)
		return
	}
	s.metrics.suppressedLogs.WithLabelValues(kind).Inc()
	if l := s.log.V(1); l.Enabled() {
		l.Info(msg, kv...)
	}
}
