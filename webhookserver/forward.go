package webhookserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/dialguard"
)

// Headers every delivery to a chatbot carries, besides X-Hub-Signature-256.
const (
	HeaderChannel       = "X-WhatsApp-Channel"         // namespace/name of the WhatsAppChannel
	HeaderProvider      = "X-WhatsApp-Provider"        // namespace/name of the MetaProvider
	HeaderPhoneNumberID = "X-WhatsApp-Phone-Number-Id" // Meta's id of the number
	// HeaderForwarded marks a request a webhook server forwarded (its value
	// names the provider). A webhook server refuses it on its public port,
	// so a chatbot URL aimed at a webhook server cannot loop.
	HeaderForwarded = "X-WhatsApp-Forwarded-By"
	userAgent       = "whatsapp-operator-webhook"
	// maxServiceAttempts bounds the endpoints tried when connecting fails.
	maxServiceAttempts = 3
	// maxDrainBytes of a chatbot's answer are read so the connection is reused.
	maxDrainBytes = 64 << 10
)

// Header values every delivery shares (never modified).
var (
	contentTypeJSON = []string{"application/json"}
	userAgentValue  = []string{userAgent}
)

// forwarder posts deliveries to chatbots.
type forwarder struct {
	client *http.Client
	// maxInFlight bounds the deliveries in flight to one chatbot; inFlight
	// counts them per chatbot (*atomic.Int32 by chatbotKey).
	maxInFlight   int32
	inFlight      sync.Map
	resolver      endpointResolver
	providerValue []string // namespace/name, as a header value
	timeout       time.Duration
	metrics       *metrics
}

// newHTTPClient returns the client used for chatbots: keep-alives, bounded
// connection and TLS setup, no redirects (a 3xx is a failed delivery), no
// environment proxy (endpoint addresses are cluster-internal).
func newHTTPClient(dial DialFunc) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			DialContext:           dial,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          256,
			MaxIdleConnsPerHost:   32,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   5 * time.Second,
			ExpectContinueTimeout: time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// deliveryError says why a delivery failed; reason is a metrics label.
type deliveryError struct {
	reason string
	err    error
}

func (e *deliveryError) Error() string { return e.reason + ": " + e.err.Error() }
func (e *deliveryError) Unwrap() error { return e.err }

// deliver posts body to the delivery's chatbot and succeeds on a 2xx
// answer. A Service is tried endpoint after endpoint, up to
// maxServiceAttempts, only while connecting fails: once a request may have
// reached a chatbot it is not repeated here (Meta's retry does that).
func (f *forwarder) deliver(ctx context.Context, d *delivery, body []byte, signature string) error {
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	header := make(http.Header, 6)
	header["Content-Type"] = contentTypeJSON
	header["User-Agent"] = userAgentValue
	header[HeaderChannel] = []string{d.route.Channel.String()}
	header[HeaderProvider] = f.providerValue
	header[HeaderForwarded] = f.providerValue
	header[HeaderPhoneNumberID] = []string{d.route.PhoneNumberID}
	if signature != "" {
		header[headerSignature] = []string{signature}
	}
	bot := d.route.Chatbot
	release, ok := f.acquire(d.route)
	if !ok {
		return &deliveryError{reason: "busy", err: fmt.Errorf("%d deliveries to this chatbot already in flight", f.maxInFlight)}
	}
	defer release()
	if bot.URL != "" {
		return f.post(ctx, bot.URL, "", header, body)
	}
	if bot.ServiceRef == nil {
		return &deliveryError{reason: "no_target", err: fmt.Errorf("%w: channel %s has neither url nor serviceRef", errNotRoutable, d.route.Channel)}
	}
	target, err := f.resolver.Resolve(ctx, d.route.Channel.Namespace, *bot.ServiceRef)
	if err != nil {
		reason := "no_endpoints"
		if errors.Is(err, errExternalName) {
			reason = "external_name"
		}
		return &deliveryError{reason: reason, err: err}
	}
	path := bot.Path
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	var lastErr error
	for i, addr := range target.addrs {
		if i == maxServiceAttempts {
			break
		}
		if i > 0 {
			f.metrics.forwardRetries.Inc()
		}
		lastErr = f.post(ctx, "http://"+addr+path, target.host, header, body)
		if lastErr == nil || !isDialError(lastErr) || ctx.Err() != nil {
			return lastErr
		}
	}
	return lastErr
}

// acquire takes one of the route's chatbot's in-flight slots; ok is false
// when all are taken.
func (f *forwarder) acquire(route Route) (release func(), ok bool) {
	key := route.Chatbot.URL
	if ref := route.Chatbot.ServiceRef; key == "" && ref != nil {
		key = "service:" + route.Channel.Namespace + "/" + ref.Name
	}
	if f.maxInFlight <= 0 {
		return func() {}, true
	}
	v, _ := f.inFlight.LoadOrStore(key, new(atomic.Int32))
	n := v.(*atomic.Int32)
	if n.Add(1) > f.maxInFlight {
		n.Add(-1)
		return nil, false
	}
	return func() { n.Add(-1) }, true
}

// post sends one request and classifies the outcome.
func (f *forwarder) post(ctx context.Context, target, host string, header http.Header, body []byte) error {
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return &deliveryError{reason: "bad_target", err: errors.New("invalid chatbot URL")}
	}
	req.Header = header // sent as is; attempts are sequential
	if host != "" {
		req.Host = host
	}
	resp, err := f.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the URL may carry a token in its query: keep it out of logs
		}
		reason := "connection"
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			reason = "timeout"
		case errors.Is(err, dialguard.ErrRefused):
			reason = "refused"
		}
		f.metrics.forwardBy.with("error").Observe(time.Since(start).Seconds())
		return &deliveryError{reason: reason, err: err}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrainBytes))
	_ = resp.Body.Close()
	f.metrics.forwardBy.with(statusClass(resp.StatusCode)).Observe(time.Since(start).Seconds())
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &deliveryError{reason: "status", err: fmt.Errorf("chatbot answered %d", resp.StatusCode)}
	}
	return nil
}

// isDialError reports whether err happened while connecting, before any
// byte of the request could reach the chatbot.
func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// statusClass maps an HTTP status to 1xx..5xx, or other.
func statusClass(code int) string {
	switch code / 100 {
	case 1:
		return "1xx"
	case 2:
		return "2xx"
	case 3:
		return "3xx"
	case 4:
		return "4xx"
	case 5:
		return "5xx"
	}
	return "other"
}
