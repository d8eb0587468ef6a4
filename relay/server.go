package relay

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Paths the relay serves besides the send API.
const (
	PathHealthz = "/healthz"
	PathReadyz  = "/readyz"
	PathMetrics = "/metrics"
)

// Handler serves the send API, the probes and, unless a metrics address
// is set, /metrics.
func (r *Relay) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{version}/{id}/messages", r.handleMessages)
	mux.HandleFunc("POST /{version}/{id}/media", r.handleMedia)
	mux.HandleFunc("GET "+PathHealthz, func(w http.ResponseWriter, _ *http.Request) { writeText(w, http.StatusOK, "ok") })
	mux.HandleFunc("GET "+PathReadyz, r.handleReadyz)
	if r.opts.MetricsBindAddress == "" {
		mux.Handle("GET "+PathMetrics, r.metricsHandler())
	}
	mux.HandleFunc("/", r.handleUnknownPath)
	return mux
}

func (r *Relay) metricsHandler() http.Handler {
	return promhttp.HandlerFor(r.opts.Registry, promhttp.HandlerOpts{})
}

// handleMessages serves POST /{version}/{phone-number-id}/messages.
func (r *Relay) handleMessages(w http.ResponseWriter, req *http.Request) {
	start := time.Now()
	rep := r.messages(req)
	r.metrics.latency.Observe(time.Since(start).Seconds())
	r.write(w, rep)
}

func (r *Relay) messages(req *http.Request) reply {
	s, version, rep, ok := r.admit(req)
	if !ok {
		r.metrics.requests.WithLabelValues("unknown", rep.outcome).Inc()
		return rep
	}
	raw, weight, rep, ok := r.readBody(req, r.opts.MaxMessageBytes)
	if !ok {
		r.metrics.requests.WithLabelValues("unknown", rep.outcome).Inc()
		return rep
	}
	defer r.buffers.Release(weight)
	p, merr := planMessage(raw, r.opts.MaxTextParts*MaxTextRunes)
	if merr != nil {
		r.metrics.requests.WithLabelValues("unknown", outcomeRefused).Inc()
		return errorReply(merr, outcomeRefused)
	}
	rep = r.deliver(req.Context(), s, version, raw, p)
	r.metrics.requests.WithLabelValues(typeLabel(p.kind), rep.outcome).Inc()
	r.logOutcome(s, p.kind, rep)
	return rep
}

// handleMedia serves POST /{version}/{phone-number-id}/media.
func (r *Relay) handleMedia(w http.ResponseWriter, req *http.Request) {
	start := time.Now()
	rep := r.media(req)
	r.metrics.latency.Observe(time.Since(start).Seconds())
	r.metrics.requests.WithLabelValues("media_upload", rep.outcome).Inc()
	r.write(w, rep)
}

func (r *Relay) media(req *http.Request) reply {
	s, version, rep, ok := r.admit(req)
	if !ok {
		return rep
	}
	weight := int64(maxUploadBytes + DefaultMaxMessageBytes)
	if req.ContentLength > 0 && req.ContentLength < weight {
		weight = req.ContentLength
	}
	if !r.buffers.TryAcquire(weight) {
		return errorReply(unavailable("the relay is holding as many request bodies as it may; nothing was sent, send it again"), outcomeUnavailable)
	}
	defer r.buffers.Release(weight)
	req.Body = http.MaxBytesReader(nil, req.Body, weight)
	up, merr := readUpload(req)
	if merr != nil {
		return errorReply(merr, outcomeRefused)
	}
	answer, err := r.sender.upload(req.Context(), s, version, up.form, up.contentType)
	if err != nil {
		return failure(err, nil, "")
	}
	return reply{status: http.StatusOK, body: answer, outcome: outcomeSent}
}

// admit checks the path, readiness and the sender before a body is read.
func (r *Relay) admit(req *http.Request) (senderInfo, string, reply, bool) {
	if !isGraphVersion(req.PathValue("version")) {
		return senderInfo{}, "", r.unknownPath(req), false
	}
	if !r.Ready() {
		return senderInfo{}, "", errorReply(unavailable("the relay is not ready (caches syncing, access token not loaded, or shutting down); nothing was sent"), outcomeUnavailable), false
	}
	table := r.senders.Load()
	s, ok := table.lookup(req.PathValue("id"))
	if !ok {
		return senderInfo{}, "", errorReply(unknownSender("post", req.PathValue("id")), outcomeUnknownSender), false
	}
	version := table.version
	if version == "" {
		version = r.opts.GraphAPIVersion
	}
	return s, version, reply{}, true
}

// readBody reads a body of at most limit bytes, holding its declared size
// (limit when undeclared) in the buffer budget; the caller releases the
// returned weight.
func (r *Relay) readBody(req *http.Request, limit int64) ([]byte, int64, reply, bool) {
	if req.ContentLength > limit {
		return nil, 0, errorReply(badRequest("the request body is larger than "+strconv.FormatInt(limit, 10)+" bytes"), outcomeRefused), false
	}
	weight := limit
	if req.ContentLength > 0 {
		weight = req.ContentLength
	}
	if !r.buffers.TryAcquire(weight) {
		return nil, 0, errorReply(unavailable("the relay is holding as many request bodies as it may; nothing was sent, send it again"), outcomeUnavailable), false
	}
	raw, err := readAll(http.MaxBytesReader(nil, req.Body, limit), req.ContentLength)
	if err != nil {
		r.buffers.Release(weight)
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, 0, errorReply(badRequest("the request body is larger than "+strconv.FormatInt(limit, 10)+" bytes"), outcomeRefused), false
		}
		return nil, 0, errorReply(badRequest("the request body cannot be read"), outcomeRefused), false
	}
	return raw, weight, reply{}, true
}

// readAll reads r to its end into one buffer of the declared size (and
// room to see the end) when there is one, as io.ReadAll does otherwise.
func readAll(r io.Reader, declared int64) ([]byte, error) {
	if declared <= 0 {
		return io.ReadAll(r)
	}
	buf := bytes.NewBuffer(make([]byte, 0, declared+bytes.MinRead))
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

// handleReadyz answers the readiness probe.
func (r *Relay) handleReadyz(w http.ResponseWriter, _ *http.Request) {
	switch {
	case r.shuttingDown.Load():
		writeText(w, http.StatusServiceUnavailable, "shutting down")
	case !r.cluster.Synced():
		writeText(w, http.StatusServiceUnavailable, "caches not synced")
	case !r.cluster.CredentialsReady() || r.tokens.Token() == "":
		writeText(w, http.StatusServiceUnavailable, "access token not loaded")
	default:
		writeText(w, http.StatusOK, "ok")
	}
}

// handleUnknownPath answers anything but the send API in Meta's shape.
func (r *Relay) handleUnknownPath(w http.ResponseWriter, req *http.Request) {
	r.write(w, r.unknownPath(req))
}

func (r *Relay) unknownPath(req *http.Request) reply {
	return errorReply(&metaError{status: http.StatusBadRequest, code: codeUnknownPath, typ: typeOAuth,
		message: "Unknown path components: " + truncate(req.URL.Path, 100),
		details: "the relay serves only POST /{version}/{phone-number-id}/messages and POST /{version}/{phone-number-id}/media"}, outcomeRefused)
}

// write sends a reply. Nothing of the request (its Authorization header
// above all) is echoed.
func (r *Relay) write(w http.ResponseWriter, rep reply) {
	h := w.Header()
	for k, v := range rep.header {
		h.Set(k, v)
	}
	h["Content-Type"] = jsonContentType
	h["X-Content-Type-Options"] = noSniff
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

// Header values every answer carries, made once: net/http only reads them.
var (
	jsonContentType = []string{"application/json; charset=UTF-8"}
	noSniff         = []string{"nosniff"}
)

// logOutcome logs failures at the default level, without message content.
func (r *Relay) logOutcome(s senderInfo, kind string, rep reply) {
	switch rep.outcome {
	case outcomeSent, outcomeFallback, outcomeRefused:
		if log := r.log.V(1); log.Enabled() { // a line per send only when asked for
			log.Info("send", "channel", s.Channel.String(), "type", kind, "outcome", rep.outcome, "status", rep.status)
		}
	default:
		r.log.Info("send failed", "channel", s.Channel.String(), "type", kind, "outcome", rep.outcome, "status", rep.status)
	}
}

// writeText writes a plain-text probe answer.
func writeText(w http.ResponseWriter, code int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(text + "\n"))
}
