package webhookserver

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"github.com/hashicorp/golang-lru/v2/expirable"
)

// errBodyTooLarge is returned by readBody past the size cap.
var errBodyTooLarge = errors.New("webhook body too large")

// handleNotification takes one webhook POST. The signature is checked on
// the raw bytes before anything is parsed. Meta gets 200 only once every
// chatbot concerned accepted its part; otherwise 503 makes Meta retry, and
// the dedupe cache keeps the parts already delivered from going again.
func (s *Server) handleNotification(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	defer func() { s.metrics.batchDuration.Observe(time.Since(start).Seconds()) }()

	table := s.routes()
	if table == nil || !s.synced() || !s.creds.Ready() || s.shuttingDown.Load() {
		s.reply(w, r, http.StatusServiceUnavailable, "not_ready")
		return
	}
	body, matched, ok := s.readSigned(w, r)
	if !ok {
		return
	}
	if matched > 0 {
		s.metrics.previousSecret.Inc()
		s.log.V(1).Info("webhook signed with a previous app secret: the rotation at Meta is not finished")
	}
	env, err := ParseEnvelope(body)
	if err != nil {
		s.log.Info("webhook refused: signed but not a webhook envelope", "bytes", len(body))
		s.reply(w, r, http.StatusBadRequest, "bad_request")
		return
	}
	if env.Object != objectWhatsApp {
		s.metrics.changes.WithLabelValues(fieldOther, outcomeIgnoredObj).Inc()
		s.reply(w, r, http.StatusOK, "ignored_object")
		return
	}
	plan := planBatch(env, table, s.dedupe.Seen)
	ctx, cancel := context.WithTimeout(r.Context(), s.batchTimeout)
	defer cancel()
	if s.execute(ctx, env.Object, plan, table) {
		s.reply(w, r, http.StatusServiceUnavailable, "retry")
		return
	}
	s.reply(w, r, http.StatusOK, "ok")
}

// readSigned reads the body and checks its signature, holding one of the
// bodySlots meanwhile: until the signature matched, the bytes come from
// anyone who can reach the port, up to maxBody each, so their number is
// bounded. Without a free slot the answer is 503 at once (Meta retries). It
// reports whether the body may be used; otherwise it has answered.
func (s *Server) readSigned(w http.ResponseWriter, r *http.Request) (body []byte, matched int, ok bool) {
	// Without a well-formed signature header the body can never be
	// accepted: refuse it before it takes a slot or a byte is read.
	if _, err := parseSignature(r.Header.Get(headerSignature)); err != nil {
		refuseUnread(w)
		s.refuseSignature(w, r, err)
		return nil, 0, false
	}
	select {
	case s.bodySlots <- struct{}{}:
		defer func() { <-s.bodySlots }()
	default:
		s.logRefusal(logBusy, "webhook refused: too many bodies being read at once; Meta will retry", "limit", cap(s.bodySlots))
		s.reply(w, r, http.StatusServiceUnavailable, "busy")
		return nil, 0, false
	}
	// Until it is verified the body may come from anyone: it must arrive
	// promptly, or the slot goes back (Meta sends at once).
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.bodyReadTimeout))
	body, err := readBody(w, r, s.maxBody)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			s.logRefusal(logBodyTimeout, "webhook refused: the body did not arrive in time", "timeout", s.bodyReadTimeout.String(), "remote", r.RemoteAddr)
			s.reply(w, r, http.StatusRequestTimeout, "body_timeout")
			return nil, 0, false
		}
		if errors.Is(err, errBodyTooLarge) {
			s.logRefusal(logTooLarge, "webhook refused: body too large", "limit", s.maxBody)
			s.reply(w, r, http.StatusRequestEntityTooLarge, "too_large")
			return nil, 0, false
		}
		s.reply(w, r, http.StatusBadRequest, "bad_request")
		return nil, 0, false
	}
	matched, err = verifyWith(r.Header.Get(headerSignature), body, s.creds.Signers())
	if err != nil {
		s.refuseSignature(w, r, err)
		return nil, 0, false
	}
	return body, matched, true
}

// refuseUnread prepares the answer to a request whose body is not read: the
// connection closes after it, and nothing more is read from it (the server
// would otherwise drain up to 256 KB of the unwanted body, as slowly as the
// client sends it, before answering).
func refuseUnread(w http.ResponseWriter) {
	w.Header().Set("Connection", "close")
	_ = http.NewResponseController(w).SetReadDeadline(time.Now())
}

// refuseSignature answers 401 for a missing signature, 403 otherwise.
func (s *Server) refuseSignature(w http.ResponseWriter, r *http.Request, err error) {
	code, reason, outcome := http.StatusForbidden, "mismatch", "signature_invalid"
	switch {
	case errors.Is(err, errSignatureMissing):
		code, reason, outcome = http.StatusUnauthorized, "missing", "signature_missing"
	case errors.Is(err, errSignatureMalformed):
		reason = "malformed"
	}
	s.metrics.signatureFailures.WithLabelValues(reason).Inc()
	s.logRefusal(logSignature, "webhook refused: signature", "reason", reason, "remote", r.RemoteAddr)
	s.reply(w, r, code, outcome)
}

// execute carries out a plan: deliveries and live checks of unknown
// numbers in parallel under ctx, reconcile requests queued for the
// background. It reports whether Meta must retry the batch.
func (s *Server) execute(ctx context.Context, object string, p *batchPlan, table *RouteTable) bool {
	for i := 0; i < len(p.outcomes); {
		// A batch's changes mostly share one field and outcome: one
		// counter update per run of equal outcomes.
		o, n := p.outcomes[i], 1
		for i+n < len(p.outcomes) && p.outcomes[i+n] == o {
			n++
		}
		i += n
		s.metrics.changesBy.with(fieldLabel(o.field), o.outcome).Add(float64(n))
		if o.outcome == outcomeForeignWABA || o.outcome == outcomeMalformed {
			s.metrics.unroutable.WithLabelValues(o.outcome).Add(float64(n))
		}
	}
	s.metrics.dedupeHits.Add(float64(p.duplicateItems))
	// Reconcile requests never change Meta's answer: they are written in
	// the background so that the API server's latency does not delay it.
	for _, id := range p.templateIDs {
		s.nudges.enqueue(nudge{templateID: id})
	}
	for _, ch := range p.channelNudges {
		s.nudges.enqueue(nudge{channel: ch})
	}
	var retry atomic.Bool
	for _, pn := range p.pending {
		s.metrics.unroutable.WithLabelValues(outcomePending).Inc()
		s.logOncePerPeriod(s.pendingLogged, pn.phoneNumberID).Info("number not routable yet: Meta will retry",
			"channel", pn.channel.String(), "phoneNumberID", pn.phoneNumberID)
		retry.Store(true)
	}
	// Forwarded bodies are signed with the forwarding key, never with the
	// app secret (issue 9 item 6): a chatbot verifies them without Meta's
	// secret. So Meta's own signature is never passed on, even for a body
	// forwarded whole.
	signer := s.creds.ForwardingSigner()
	if len(p.deliveries) == 1 && len(p.unknown) == 0 {
		// The common case: one chatbot, nothing to check. No goroutine.
		return !s.deliver(ctx, object, p.deliveries[0], signer) || retry.Load()
	}
	var wg sync.WaitGroup
	for _, d := range p.deliveries {
		wg.Go(func() {
			if !s.deliver(ctx, object, d, signer) {
				retry.Store(true)
			}
		})
	}
	for _, u := range p.unknown {
		wg.Go(func() {
			if s.checkUnknown(ctx, table, u) {
				retry.Store(true)
			}
		})
	}
	wg.Wait()
	return retry.Load()
}

// deliver sends one delivery and records its dedupe keys on success.
func (s *Server) deliver(ctx context.Context, object string, d *delivery, signer *macSigner) bool {
	body := d.body(object)
	var sig string
	if signer != nil {
		sig = signer.header(body)
	}
	err := s.forwarder.deliver(ctx, d, body, sig)
	if err != nil {
		reason := "other"
		var de *deliveryError
		if errors.As(err, &de) {
			reason = de.reason
		}
		s.metrics.forwardFailures.WithLabelValues(reason).Inc()
		s.log.Info("delivery to chatbot failed: Meta will retry", "channel", d.route.Channel.String(),
			"reason", reason, "error", err.Error(), "changes", d.changes)
		return false
	}
	s.dedupe.Record(d.keys)
	if l := s.log.V(1); l.Enabled() {
		l.Info("delivered", "channel", d.route.Channel.String(), "changes", d.changes)
	}
	return true
}

// checkUnknown decides about a number no cached channel claims: retry when
// the API server says a channel claims it (the cache lags) or cannot be
// asked; acknowledge otherwise, so Meta does not retry for a week.
func (s *Server) checkUnknown(ctx context.Context, table *RouteTable, u *unknownNumber) bool {
	claimed, err := s.confirmer.Claimed(ctx, table, u.phoneNumberID, u.displayNumber)
	switch {
	case err != nil:
		s.log.Error(err, "cannot confirm an unknown number with the API server: Meta will retry", "phoneNumberID", u.phoneNumberID)
		s.countUnknown(u, outcomePending)
		return true
	case claimed:
		s.log.Info("number claimed by a channel the cache has not seen yet: Meta will retry", "phoneNumberID", u.phoneNumberID)
		s.countUnknown(u, outcomePending)
		return true
	default:
		s.logOncePerPeriod(s.unknownLogged, u.phoneNumberID).Info("no channel claims this number: acknowledged and dropped",
			"phoneNumberID", u.phoneNumberID, "changes", u.changes)
		s.countUnknown(u, outcomeUnknown)
		return false
	}
}

// logOncePerPeriod returns the default logger the first time a number is
// seen in a period of seen, V(1) afterwards: Meta retries and steady
// traffic would otherwise repeat the line for every change.
func (s *Server) logOncePerPeriod(seen *expirable.LRU[string, struct{}], phoneNumberID string) logr.Logger {
	if seen.Contains(phoneNumberID) {
		return s.log.V(1)
	}
	seen.Add(phoneNumberID, struct{}{}) // two racing first sightings may both log: harmless
	return s.log
}

// countUnknown counts an unknown number's changes.
func (s *Server) countUnknown(u *unknownNumber, outcome string) {
	reason := "unknown_number"
	if outcome == outcomePending {
		reason = outcomePending
	}
	s.metrics.unroutable.WithLabelValues(reason).Add(float64(u.changes))
	for field, n := range u.fields {
		s.metrics.changes.WithLabelValues(fieldLabel(field), outcome).Add(float64(n))
	}
}

// readBody reads the whole body, refusing more than limit bytes.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, errBodyTooLarge
	}
	if r.ContentLength > 0 {
		// Meta sends Content-Length, which the server holds the body to:
		// read it into a buffer of that size at once.
		body := make([]byte, r.ContentLength)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			return nil, err
		}
		return body, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, errBodyTooLarge
	}
	return body, err
}
