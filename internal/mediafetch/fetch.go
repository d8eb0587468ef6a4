package mediafetch

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/dialguard"
)

const (
	defaultTimeout       = 30 * time.Second
	defaultMaxConcurrent = 2
	maxRedirects         = 3
	maxHeaderBytes       = 64 << 10
)

// Options configure a Fetcher.
type Options struct {
	// Timeout bounds one fetch, redirects and body included; default 30s.
	Timeout time.Duration
	// Deny adds ranges to refuse (the API server's addresses); private
	// ranges are always refused, besides loopback and link-local.
	Deny []netip.Prefix
	// Allow lets through addresses a rule would refuse (an admin's
	// internal media server; tests on loopback).
	Allow []netip.Prefix
	// RootCAs verifies servers; nil means the system's roots.
	RootCAs *x509.CertPool
	// MaxConcurrent bounds fetches in flight, and so memory; default 2.
	MaxConcurrent int
}

// Fetcher fetches header samples. It is safe for concurrent use.
type Fetcher struct {
	client  *http.Client
	timeout time.Duration
	slots   chan struct{}
}

// Media is a fetched sample.
type Media struct {
	Data     []byte
	MIMEType string
	// SHA256 is the hex SHA-256 of Data: the sample's identity.
	SHA256 string
	// FileName is the last path segment of the URL.
	FileName string
}

// New returns a Fetcher.
func New(o Options) *Fetcher {
	if o.Timeout == 0 {
		o.Timeout = defaultTimeout
	}
	if o.MaxConcurrent == 0 {
		o.MaxConcurrent = defaultMaxConcurrent
	}
	guard := dialguard.New(append(dialguard.PrivateRanges(), o.Deny...), o.Allow)
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: guard.Control}
	transport := &http.Transport{
		Proxy:                  nil, // through a proxy only the proxy's address would be checked
		DialContext:            dialer.DialContext,
		TLSClientConfig:        &tls.Config{RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  15 * time.Second,
		MaxResponseHeaderBytes: maxHeaderBytes,
		MaxIdleConns:           4,
		IdleConnTimeout:        30 * time.Second,
	}
	return &Fetcher{
		timeout: o.Timeout,
		slots:   make(chan struct{}, o.MaxConcurrent),
		client: &http.Client{
			Transport: transport,
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if len(via) > maxRedirects {
					return errTooManyRedirects
				}
				if req.URL.Scheme != "https" {
					return errInsecureRedirect
				}
				return nil
			},
		},
	}
}

var (
	errTooManyRedirects = errors.New("more than 3 redirects")
	errInsecureRedirect = errors.New("a redirect to a non-https URL")
)

// Fetch downloads the sample at rawURL for a header of kind k.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string, k Kind) (*Media, error) {
	u, err := url.Parse(rawURL)
	shown := displayURL(u, rawURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, permanent(shown, "must be an https:// URL")
	}
	if u.User != nil {
		return nil, permanent(shown, "must not carry credentials in the URL")
	}
	select {
	case f.slots <- struct{}{}:
		defer func() { <-f.slots }()
	case <-ctx.Done():
		return nil, temporary(shown, "was not fetched: %v", ctx.Err())
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, permanent(shown, "is not a valid URL")
	}
	req.Header.Set("Accept", strings.Join(k.Types, ", "))
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, transportError(shown, err, f.timeout)
	}
	defer func() { _ = resp.Body.Close() }()
	if problem := statusProblem(resp.StatusCode); problem != nil {
		problem.URL = shown
		return nil, problem
	}
	if resp.ContentLength > k.MaxBytes {
		return nil, tooLarge(shown, k)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, k.MaxBytes+1))
	if err != nil {
		return nil, transportError(shown, err, f.timeout)
	}
	if int64(len(data)) > k.MaxBytes {
		return nil, tooLarge(shown, k)
	}
	if len(data) == 0 {
		return nil, permanent(shown, "is empty")
	}
	mimeType, ok := mediaType(resp.Header.Get("Content-Type"), data, k)
	if !ok {
		return nil, permanent(shown, "is %s, but a %s header's sample must be %s", orUnknown(resp.Header.Get("Content-Type")), k.Format, strings.Join(k.Types, " or "))
	}
	sum := sha256.Sum256(data)
	return &Media{Data: data, MIMEType: mimeType, SHA256: hex.EncodeToString(sum[:]), FileName: fileName(u, mimeType)}, nil
}

// mediaType takes the type the server names when k accepts it, else the
// type the bytes show (servers often send application/octet-stream).
func mediaType(header string, data []byte, k Kind) (string, bool) {
	if t, _, err := mime.ParseMediaType(header); err == nil {
		if canonical, ok := k.accepts(t); ok {
			return canonical, true
		}
	}
	sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(data))
	return k.accepts(sniffed)
}

// statusProblem reads an HTTP status; nil for 200.
func statusProblem(status int) *Error {
	switch {
	case status == http.StatusOK:
		return nil
	case status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500:
		return temporary("", "answered HTTP %d", status)
	}
	return permanent("", "answered HTTP %d", status)
}

// transportError reads a failed request: a refused address or an untrusted
// certificate needs the URL fixed; a timeout or a network failure may pass.
func transportError(shown string, err error, timeout time.Duration) *Error {
	var (
		refused *dialguard.RefusedError
		unknown x509.UnknownAuthorityError
		invalid x509.CertificateInvalidError
		host    x509.HostnameError
		dns     *net.DNSError
	)
	switch {
	case errors.As(err, &refused):
		return permanent(shown, "resolves to %s, which is refused (%s): host the sample where the internet reaches it", refused.Addr, refused.Reason)
	case errors.Is(err, errTooManyRedirects):
		return permanent(shown, "redirects more than %d times", maxRedirects)
	case errors.Is(err, errInsecureRedirect):
		return permanent(shown, "redirects to a URL that is not https://")
	case errors.As(err, &unknown), errors.As(err, &invalid), errors.As(err, &host):
		return permanent(shown, "has a TLS certificate that is not valid for it")
	case errors.As(err, &dns) && dns.IsNotFound:
		return permanent(shown, "names a host, %s, that does not exist", dns.Name)
	case errors.Is(err, context.DeadlineExceeded):
		return temporary(shown, "was not fetched within %s", timeout)
	}
	// A *url.Error repeats the full URL, query included: only its cause.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return temporary(shown, "could not be fetched: %v", err)
}

func tooLarge(shown string, k Kind) *Error {
	return permanent(shown, "is larger than %d MiB, the most for a %s header's sample", k.MaxBytes>>20, k.Format)
}

// displayURL is the URL without query or fragment (signed URLs carry keys).
func displayURL(u *url.URL, raw string) string {
	if u == nil {
		if i := strings.IndexAny(raw, "?#"); i >= 0 {
			return raw[:i]
		}
		return raw
	}
	c := *u
	c.RawQuery, c.Fragment, c.User = "", "", nil
	return c.String()
}

// fileName is the URL's last path segment, or a name from the type.
func fileName(u *url.URL, mimeType string) string {
	name := path.Base(u.Path)
	if name == "." || name == "/" || name == "" {
		exts, _ := mime.ExtensionsByType(mimeType)
		name = "sample"
		if len(exts) > 0 {
			name += exts[0]
		}
	}
	return name
}

func orUnknown(s string) string {
	if s == "" {
		return "of no declared type"
	}
	return s
}
