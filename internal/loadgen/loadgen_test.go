package loadgen

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var testSecret = []byte("bench-app-secret")

func signed(seq *atomic.Int64) func(http.Header) []byte {
	return func(h http.Header) []byte {
		body := []byte(`{"n":` + strconv.FormatInt(seq.Add(1), 10) + `}`)
		m := hmac.New(sha256.New, testSecret)
		m.Write(body)
		h.Set(bareSignature, bareSignaturePre+hex.EncodeToString(m.Sum(nil)))
		return body
	}
}

func TestLoopbackOnly(t *testing.T) {
	cases := map[string]struct {
		reason string
		url    string
		wantOK bool
	}{
		"IPv4":      {reason: "127.0.0.1 is loopback", url: "http://127.0.0.1:8080/webhook", wantOK: true},
		"IPv4Range": {reason: "all of 127/8 is loopback", url: "http://127.3.2.1:1/", wantOK: true},
		"IPv6":      {reason: "::1 is loopback", url: "http://[::1]:8080/", wantOK: true},
		"Localhost": {reason: "localhost names loopback", url: "http://localhost:1/", wantOK: true},
		"Remote":    {reason: "another host is refused", url: "http://192.0.2.1/", wantOK: false},
		"Name":      {reason: "a name other than localhost is refused (it may resolve anywhere)", url: "http://example.com/", wantOK: false},
		"HTTPS":     {reason: "only plain http over loopback", url: "https://127.0.0.1/", wantOK: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := checkLoopback(tc.url)
			if (err == nil) != tc.wantOK {
				t.Errorf("%s: err=%v", tc.reason, err)
			}
			if err != nil && !errors.Is(err, errNotLoopback) {
				t.Errorf("%s: want errNotLoopback, got %v", tc.reason, err)
			}
		})
	}
	if _, err := ClosedLoop(context.Background(), http.DefaultClient, Target{URL: "http://192.0.2.1/"}, 1, time.Millisecond); !errors.Is(err, errNotLoopback) {
		t.Errorf("ClosedLoop sends nothing to a remote target, got %v", err)
	}
	if _, err := OpenLoop(context.Background(), http.DefaultClient, Target{URL: "http://192.0.2.1/"}, 1, time.Second, 1); !errors.Is(err, errNotLoopback) {
		t.Errorf("OpenLoop sends nothing to a remote target, got %v", err)
	}
}

func TestClosedLoopCountsAnswers(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if served.Add(1)%10 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	var seq atomic.Int64
	r, err := ClosedLoop(context.Background(), srv.Client(), Target{URL: srv.URL, Next: signed(&seq)}, 4, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if got := int64(r.Requests + r.Failures); got != served.Load() || got != seq.Load() {
		t.Errorf("every request sent is counted once: %d counted, %d served, %d bodies", got, served.Load(), seq.Load())
	}
	if r.Failures != int(served.Load()/10) || r.FirstError == nil {
		t.Errorf("every tenth answer was 503: %d failures (%v) of %d", r.Failures, r.FirstError, served.Load())
	}
	if r.Requests == 0 || r.PerSecond() <= 0 || len(r.Latencies) != r.Requests+r.Failures || r.Mallocs == 0 || r.PeakMemory == 0 {
		t.Errorf("figures missing: %+v", r)
	}
}

func TestOpenLoopSendsOnSchedule(t *testing.T) {
	var served atomic.Int64
	var inFlight, peak atomic.Int64
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		if served.Add(1) == 1 {
			<-release // the first request stalls until the rest were sent
		}
		inFlight.Add(-1)
	}))
	defer srv.Close()
	var seq atomic.Int64
	var once sync.Once
	target := Target{URL: srv.URL, Next: func(h http.Header) []byte {
		if seq.Load() == 49 {
			once.Do(func() { close(release) })
		}
		return signed(&seq)(h)
	}}
	r, err := OpenLoop(context.Background(), srv.Client(), target, 1000, 50*time.Millisecond, 8)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 50 || served.Load() != 50 || len(r.Latencies) != 50 {
		t.Errorf("1000/s for 50ms is 50 requests whatever the answers: %d answered, %d served", r.Requests, served.Load())
	}
	if peak.Load() > 8 {
		t.Errorf("at most 8 requests in flight, saw %d", peak.Load())
	}
	if r.Quantile(1) < r.Quantile(0.5) || r.Quantile(0.5) <= 0 {
		t.Errorf("quantiles out of order: p50 %s max %s", r.Quantile(0.5), r.Quantile(1))
	}
}

func TestBareForwarder(t *testing.T) {
	var got [][]byte
	var sigs []string
	var mu sync.Mutex
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, sigs = append(got, b), append(sigs, r.Header.Get(bareSignature))
		mu.Unlock()
	}))
	defer bot.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
	defer down.Close()
	var seq atomic.Int64
	next := signed(&seq)

	post := func(h http.Handler, body []byte, header http.Header) int {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
		req.Header = header
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	fwd := BareForwarder(bot.Client(), testSecret, bot.URL, bot.URL)
	h := http.Header{}
	body := next(h)
	if code := post(fwd, body, h); code != http.StatusOK {
		t.Fatalf("a signed body is forwarded and answered 200, got %d", code)
	}
	if len(got) != 2 || !bytes.Equal(got[0], body) || sigs[0] != h.Get(bareSignature) {
		t.Errorf("each target gets the raw bytes and Meta's signature: %q %q", got, sigs)
	}
	bad := http.Header{}
	bad.Set(bareSignature, "sha256=00")
	if code := post(fwd, body, bad); code != http.StatusForbidden || len(got) != 2 {
		t.Errorf("a bad signature is refused and nothing forwarded: %d, %d forwarded", code, len(got))
	}
	h2 := http.Header{}
	body2 := next(h2)
	if code := post(BareForwarder(bot.Client(), testSecret, bot.URL, down.URL), body2, h2); code != http.StatusServiceUnavailable {
		t.Errorf("a failing target makes Meta retry: %d", code)
	}
}
