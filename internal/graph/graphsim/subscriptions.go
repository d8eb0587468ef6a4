package graphsim

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const (
	appLinkFmt            = "https://www.facebook.com/games/?app_id=%s"
	verificationTimeout   = 6 * time.Second
	maxChallengeBodyBytes = 1 << 10
)

// subscribeBody is the optional body of POST /{waba-id}/subscribed_apps.
type subscribeBody struct {
	OverrideCallbackURI string `json:"override_callback_uri"`
	VerifyToken         string `json:"verify_token"`
}

// handleListSubscriptions serves GET /{waba-id}/subscribed_apps.
func (s *Server) handleListSubscriptions(req *request) (any, *metaError) {
	w := s.wabas[req.route.waba]
	items := make([]any, 0, len(w.subscriptions))
	for _, sub := range w.subscriptions {
		item := map[string]any{"whatsapp_business_api_data": map[string]string{
			"id": sub.AppID, "name": sub.AppName, "link": fmt.Sprintf(appLinkFmt, sub.AppID),
		}}
		if sub.OverrideCallbackURI != "" {
			item["override_callback_uri"] = sub.OverrideCallbackURI
		}
		items = append(items, item)
	}
	return pageLocked(req.r, items)
}

// prepareSubscribe parses the body and, with Options.VerifyCallbacks,
// performs Meta's verification handshake against the override URL. It runs
// without the server lock.
func (s *Server) prepareSubscribe(req *request) *metaError {
	var body subscribeBody
	if err := decodeBody(req, &body); err != nil {
		return err
	}
	q := req.r.URL.Query()
	if body.OverrideCallbackURI == "" {
		body.OverrideCallbackURI, body.VerifyToken = q.Get("override_callback_uri"), q.Get("verify_token")
	}
	req.scratch = body
	if body.OverrideCallbackURI == "" || !s.opts.VerifyCallbacks {
		return nil
	}
	return s.verifyCallback(req.r.Context(), body.OverrideCallbackURI, body.VerifyToken)
}

// verifyCallback performs the GET handshake: hub.mode=subscribe,
// hub.challenge and hub.verify_token; the endpoint must echo the challenge.
func (s *Server) verifyCallback(ctx context.Context, callback, verifyToken string) *metaError {
	u, err := url.Parse(callback)
	if err != nil || u.Host == "" {
		return errInvalidParam("Param override_callback_uri must be a valid URL", "", "")
	}
	s.mu.Lock()
	challenge := strconv.FormatInt(s.rng.Int64N(1<<31), 10)
	s.mu.Unlock()
	q := u.Query()
	q.Set("hub.mode", "subscribe")
	q.Set("hub.challenge", challenge)
	q.Set("hub.verify_token", verifyToken)
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(ctx, verificationTimeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return errCallbackVerification("invalid URL")
	}
	resp, err := s.opts.HTTPClient.Do(hreq)
	if err != nil {
		return errCallbackVerification("URL couldn't be validated: connection failed or timed out")
	}
	defer func() { _ = resp.Body.Close() }()
	got, _ := io.ReadAll(io.LimitReader(resp.Body, maxChallengeBodyBytes))
	if resp.StatusCode != http.StatusOK || string(got) != challenge {
		return errCallbackVerification(fmt.Sprintf("URL couldn't be validated. Response does not match challenge, expected value=%q, received=%q", challenge, string(got)))
	}
	return nil
}

// handleSubscribe serves POST /{waba-id}/subscribed_apps: the token's app
// is subscribed (again), with the override when given.
func (s *Server) handleSubscribe(req *request) (any, *metaError) {
	body, _ := req.scratch.(subscribeBody)
	w := s.wabas[req.route.waba]
	app := s.apps[req.token.AppID]
	sub := Subscription{AppID: req.token.AppID, OverrideCallbackURI: body.OverrideCallbackURI, VerifyToken: body.VerifyToken}
	if app != nil {
		sub.AppName = app.Name
	}
	for i := range w.subscriptions {
		if w.subscriptions[i].AppID == sub.AppID {
			w.subscriptions[i] = sub
			return success(), nil
		}
	}
	w.subscriptions = append(w.subscriptions, sub)
	return success(), nil
}

// handleUnsubscribe serves DELETE /{waba-id}/subscribed_apps.
func (s *Server) handleUnsubscribe(req *request) (any, *metaError) {
	w := s.wabas[req.route.waba]
	kept := w.subscriptions[:0]
	for _, sub := range w.subscriptions {
		if sub.AppID != req.token.AppID {
			kept = append(kept, sub)
		}
	}
	w.subscriptions = kept
	return success(), nil
}
