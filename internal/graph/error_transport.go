package graph

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
)

const errFmtTransport = "graph %s: %s request failed: %s"

// TransportError is returned when no HTTP answer arrived: connection refused,
// DNS failure, TLS failure, a timeout or a cancelled context. It never holds
// a *url.Error, whose text includes the request URL (and so, for debug_token,
// the app secret): the URL is dropped and the remaining text scrubbed.
type TransportError struct {
	// Endpoint is the logical endpoint (an Endpoint* constant).
	Endpoint string
	// Method is the HTTP method.
	Method string
	// Timeout reports a timeout (client timeout or context deadline).
	Timeout bool
	msg     string
	err     error
}

// Error renders the endpoint, the method and the scrubbed cause.
func (e *TransportError) Error() string {
	return fmt.Sprintf(errFmtTransport, e.Endpoint, e.Method, e.msg)
}

// Unwrap exposes the cause (never a *url.Error) to errors.Is and errors.As,
// so context.DeadlineExceeded and net.Error remain recognisable.
func (e *TransportError) Unwrap() error { return e.err }

// newTransportError strips the *url.Error layer from err and scrubs the rest.
func newTransportError(endpoint, method string, err error, scrub func(string) string) *TransportError {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	te := &TransportError{Endpoint: endpoint, Method: method, err: err, msg: scrub(err.Error())}
	var ne net.Error
	te.Timeout = errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
	return te
}
