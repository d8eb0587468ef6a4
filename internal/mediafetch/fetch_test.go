package mediafetch_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/mediafetch"
)

var (
	pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{1}, 512)...)
	loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
)

// sampleServer serves samples over TLS on loopback.
func sampleServer(t *testing.T) *httptest.Server {
	t.Helper()
	stall := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/sample.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(pngBytes)
	})
	mux.HandleFunc("/octet", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(pngBytes)
	})
	mux.HandleFunc("/page.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>hello</html>"))
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.(http.Flusher).Flush() // no Content-Length: the limit must hold while reading
		_, _ = w.Write(pngBytes)
		_, _ = w.Write(bytes.Repeat([]byte{2}, 4096))
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("/busy", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	mux.HandleFunc("/to-http", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://example.com/sample.png", http.StatusFound)
	})
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stall:
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewTLSServer(mux)
	t.Cleanup(func() { close(stall); srv.Close() })
	return srv
}

func fetcher(srv *httptest.Server, allow []netip.Prefix) *mediafetch.Fetcher {
	return mediafetch.New(mediafetch.Options{Allow: allow, RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs, Timeout: 2 * time.Second})
}

func TestFetchReturnsTheSampleWithItsTypeAndHash(t *testing.T) {
	srv := sampleServer(t)
	f := fetcher(srv, loopback)
	for _, path := range []string{"/sample.png", "/octet"} {
		m, err := f.Fetch(context.Background(), srv.URL+path, mediafetch.Image)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		sum := sha256.Sum256(pngBytes)
		if !bytes.Equal(m.Data, pngBytes) || m.MIMEType != "image/png" || m.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: got %d bytes of %s (sha256 %s)", path, len(m.Data), m.MIMEType, m.SHA256)
		}
	}
}

func TestFetchRefusesWhatASampleNeedsNot(t *testing.T) {
	srv := sampleServer(t)
	small := mediafetch.Kind{Format: "IMAGE", MaxBytes: 1024, Types: []string{"image/png"}}
	cases := map[string]struct {
		reason    string
		fetcher   *mediafetch.Fetcher
		url       string
		kind      mediafetch.Kind
		temporary bool
		wantIn    string
	}{
		"loopback":              {reason: "a URL must not reach the operator's own pod", fetcher: fetcher(srv, nil), url: srv.URL + "/sample.png", kind: mediafetch.Image, wantIn: "loopback"},
		"metadata":              {reason: "the cloud metadata service is link-local", fetcher: fetcher(srv, nil), url: "https://169.254.169.254/latest/meta-data", kind: mediafetch.Image, wantIn: "link-local"},
		"private":               {reason: "in-cluster services are private addresses", fetcher: fetcher(srv, nil), url: "https://10.0.0.1/sample.png", kind: mediafetch.Image, wantIn: "denied range"},
		"http":                  {reason: "https only", fetcher: fetcher(srv, loopback), url: strings.Replace(srv.URL, "https", "http", 1) + "/sample.png", kind: mediafetch.Image, wantIn: "https://"},
		"redirect to http":      {reason: "redirects stay on https", fetcher: fetcher(srv, loopback), url: srv.URL + "/to-http", kind: mediafetch.Image, wantIn: "not https://"},
		"wrong type":            {reason: "a web page is no image", fetcher: fetcher(srv, loopback), url: srv.URL + "/page.html", kind: mediafetch.Image, wantIn: "text/html"},
		"too large":             {reason: "the limit holds without a Content-Length", fetcher: fetcher(srv, loopback), url: srv.URL + "/big", kind: small, wantIn: "larger than"},
		"not found":             {reason: "a 404 needs the URL fixed", fetcher: fetcher(srv, loopback), url: srv.URL + "/gone", kind: mediafetch.Image, wantIn: "HTTP 404"},
		"untrusted certificate": {reason: "TLS is verified", fetcher: mediafetch.New(mediafetch.Options{Allow: loopback}), url: srv.URL + "/sample.png", kind: mediafetch.Image, wantIn: "certificate"},
		"busy":                  {reason: "a 503 may pass", fetcher: fetcher(srv, loopback), url: srv.URL + "/busy", kind: mediafetch.Image, temporary: true, wantIn: "HTTP 503"},
		"stalled":               {reason: "a server that never answers is cut off", fetcher: fetcher(srv, loopback), url: srv.URL + "/stall", kind: mediafetch.Image, temporary: true, wantIn: "not fetched within"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := tc.fetcher.Fetch(context.Background(), tc.url+"?X-Amz-Signature=s3cr3t", tc.kind)
			var fe *mediafetch.Error
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *mediafetch.Error (%s)", err, tc.reason)
			}
			if fe.Temporary != tc.temporary || !strings.Contains(fe.Error(), tc.wantIn) {
				t.Errorf("err = %q temporary=%v, want %q temporary=%v (%s)", fe.Error(), fe.Temporary, tc.wantIn, tc.temporary, tc.reason)
			}
			if strings.Contains(fe.Error(), "s3cr3t") {
				t.Errorf("a signed URL's key is in the message: %s", fe.Error())
			}
		})
	}
}
