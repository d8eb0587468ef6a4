package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	maxResponseBytes = 16 << 20
	errFmtDecode     = "graph %s: cannot decode Meta's answer (HTTP %d): %s"
	errFmtRequest    = "graph %s: cannot build request: %s"
	contentTypeJSON  = "application/json"
)

// limitKind selects the client-side limiters a call spends.
type limitKind int

const (
	limitManagement limitKind = iota // per-WABA management budget
	limitCreate                      // management budget and template creations
	limitNone                        // messaging and token inspection
)

// authMode selects how the token is sent.
type authMode int

const (
	authBearer authMode = iota // Authorization: Bearer <token>
	authOAuth                  // Authorization: OAuth <token> (Resumable Upload API)
)

// call describes one logical Graph API call.
type call struct {
	endpoint    string
	method      string
	path        []string // unescaped segments after the version
	query       url.Values
	body        []byte
	contentType string
	waba        string // WABA whose budget the call spends, when known
	object      string // phone number or template id, for budget lookup
	idempotent  bool   // safe to retry on transient failures
	limit       limitKind
	auth        authMode
	// bearer, when set, is sent instead of the client's token
	// (debug_token authenticates as the app).
	bearer  string
	secrets []string // extra values to scrub (app secret, PIN, verify token)
	header  http.Header
}

// do runs cl, retrying idempotent calls on transient failures, and decodes
// a 2xx answer into out (a pointer to a struct, or *[]byte for raw bytes).
func (c *Client) do(ctx context.Context, cl call, out any) error {
	if c.baseErr != nil {
		return c.baseErr
	}
	scrub := c.scrubber
	if len(cl.secrets) > 0 {
		scrub = newScrubber(append([]string{c.token}, cl.secrets...)...)
	}
	// Only calls that spend a budget need their limiter key up front; a
	// send looks it up if Meta answers with a rate limit (noteRateLimit).
	var key string
	if cl.limit != limitNone {
		key = c.shared.limiterKey(cl.waba, cl.object)
	}
	attempts := 1
	if cl.idempotent {
		attempts = c.cfg.Retry.MaxAttempts
	}
	for attempt := 1; ; attempt++ {
		var err error
		if cl.limit != limitNone {
			err = c.shared.acquire(ctx, cl.endpoint, c.appKey, key, cl.limit == limitCreate)
		}
		if err == nil {
			err = c.attempt(ctx, cl, key, scrub, out)
		}
		metricRequests.WithLabelValues(cl.endpoint, outcomeLabel(err)).Inc()
		if err == nil || attempt >= attempts || Classify(err) != ClassTransient || ctx.Err() != nil {
			return err
		}
		if !c.backoff(ctx, attempt) {
			return err
		}
		metricRetries.WithLabelValues(cl.endpoint).Inc()
	}
}

// attempt sends cl once.
func (c *Client) attempt(ctx context.Context, cl call, key string, s scrubber, out any) error {
	scrub := s.scrub
	req, err := c.newRequest(ctx, cl)
	if err != nil {
		return fmt.Errorf(errFmtRequest, cl.endpoint, scrub(err.Error()))
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		te := newTransportError(cl.endpoint, cl.method, err, scrub)
		c.log(cl, 0, time.Since(start), te)
		return te
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	c.shared.recordUsage(c.appKey, resp.Header)
	if err != nil {
		te := newTransportError(cl.endpoint, cl.method, err, scrub)
		c.log(cl, resp.StatusCode, time.Since(start), te)
		return te
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		me := parseError(cl.endpoint, resp.StatusCode, body, s)
		c.noteRateLimit(me, cl, key, resp.Header)
		c.log(cl, resp.StatusCode, time.Since(start), me)
		return me
	}
	c.log(cl, resp.StatusCode, time.Since(start), nil)
	return decodeAnswer(cl.endpoint, resp.StatusCode, body, out, scrub)
}

func (c *Client) newRequest(ctx context.Context, cl call) (*http.Request, error) {
	segs := make([]string, len(cl.path))
	for i, s := range cl.path {
		segs[i] = url.PathEscape(s)
	}
	u := c.base + "/" + strings.Join(segs, "/")
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	var body io.Reader
	if cl.body != nil {
		body = bytes.NewReader(cl.body)
	}
	req, err := http.NewRequestWithContext(withEndpoint(ctx, cl.endpoint), cl.method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header["Accept"] = headerJSON
	switch {
	case cl.body != nil && cl.contentType == "":
		req.Header["Content-Type"] = headerJSON
	case cl.body != nil:
		req.Header.Set("Content-Type", cl.contentType)
	}
	for k, v := range cl.header {
		req.Header[k] = v
	}
	switch {
	case cl.bearer != "":
		req.Header.Set("Authorization", "Bearer "+cl.bearer)
	case cl.auth == authBearer:
		req.Header["Authorization"] = c.bearer
	case cl.auth == authOAuth:
		req.Header.Set("Authorization", "OAuth "+c.token)
	}
	return req, nil
}

// headerJSON is the Accept and Content-Type value of JSON calls, made once
// rather than per call: net/http only reads header values.
var headerJSON = []string{contentTypeJSON}

// noteRateLimit fills RetryAfter on a rate-limit answer and, for management
// budget codes, holds the WABA's calls back until then.
func (c *Client) noteRateLimit(e *Error, cl call, key string, h http.Header) {
	if classifyMeta(e) != ClassRateLimited {
		return
	}
	if key == "" {
		key = c.shared.limiterKey(cl.waba, cl.object)
	}
	metricRateLimitHits.WithLabelValues(e.Endpoint, sourceMeta).Inc()
	switch {
	case isEditLimit(e):
		e.RetryAfter = editDayWindow
		c.shared.edits.refuse(cl.object, c.shared.now().Add(editDayWindow))
		return
	case maxRegain(h) > 0:
		e.RetryAfter = maxRegain(h)
	case c.shared.regainAfter(key) > 0:
		e.RetryAfter = c.shared.regainAfter(key)
	case retryAfterHeader(h) > 0:
		e.RetryAfter = retryAfterHeader(h)
	default:
		e.RetryAfter = defaultRetryAfter(e.Code)
	}
	if managementBudgetCode(e.Code) {
		c.shared.blockFor(key, e.RetryAfter)
	}
}

// decodeAnswer decodes a 2xx body into out.
func decodeAnswer(endpoint string, status int, body []byte, out any, scrub func(string) string) error {
	switch o := out.(type) {
	case nil:
		return nil
	case *[]byte:
		*o = body
		return nil
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf(errFmtDecode, endpoint, status, scrub(err.Error()))
	}
	return nil
}

// log writes one V(1) line per attempt: no URL, no body, no credential.
func (c *Client) log(cl call, status int, d time.Duration, err error) {
	if !c.cfg.Logger.V(1).Enabled() {
		return // build no line nobody reads: sends call this per message
	}
	kv := []any{"endpoint", cl.endpoint, "method", cl.method, "status", status, "duration", d.Round(time.Millisecond).String()}
	if me, ok := err.(*Error); ok {
		kv = append(kv, "code", me.Code, "subcode", me.Subcode, "fbtrace_id", me.FBTraceID)
	}
	if err != nil {
		kv = append(kv, "error", err.Error())
	}
	c.cfg.Logger.V(1).Info("graph call", kv...)
}

// retryAfterHeader reads an HTTP Retry-After header given in seconds.
func retryAfterHeader(h http.Header) time.Duration {
	s, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After")))
	if err != nil || s <= 0 {
		return 0
	}
	return time.Duration(s) * time.Second
}
