package webhookserver

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// trickle opens a POST to /webhook over a real socket with the given
// signature header ("" for none) and a declared 100 KB body, then sends one
// byte every 20ms until the test ends.
func trickle(t *testing.T, baseURL, signature string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(baseURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); _ = conn.Close() })
	sig := ""
	if signature != "" {
		sig = headerSignature + ": " + signature + "\r\n"
	}
	if _, err := fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: webhook\r\nContent-Type: application/json\r\n%sContent-Length: 100000\r\n\r\n{", PathWebhook, sig); err != nil {
		t.Fatal(err)
	}
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if _, err := conn.Write([]byte(" ")); err != nil {
					return
				}
			}
		}
	}()
	return conn
}

// answer reads the status code of the answer on conn, 0 when none arrives
// within wait.
func answer(conn net.Conn, wait time.Duration) int {
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// TestSlowUnauthenticatedBodiesDoNotLockMetaOut (issue 9 item 3): 16 POSTs
// without a signature and 4 with a malformed one trickle their bodies, and
// 4 more with a well-formed but wrong signature fill every body slot. The
// first 20 are refused at once, before their bodies are read; the 4 lose
// their slots at the short read deadline for unverified bodies. Meta's
// signed POST then goes through while all 24 are still open.
func TestSlowUnauthenticatedBodiesDoNotLockMetaOut(t *testing.T) {
	bot := newChatbot(t)
	ts := newTestServer(t, []whatsappv1alpha1.WhatsAppChannel{newChannel("us", "+12025550101", "101", urlBot(bot.srv.URL))},
		func(o *Options) { o.MaxConcurrentBodyReads = 4; o.BodyReadTimeout = 300 * time.Millisecond })
	var unsigned []net.Conn
	for range 16 {
		unsigned = append(unsigned, trickle(t, ts.url, ""))
	}
	for range 4 {
		unsigned = append(unsigned, trickle(t, ts.url, "sha256=not-hex"))
	}
	fake := signatureHeader([]byte("not-the-app-secret"), nil)
	var fakes []net.Conn
	for range 4 {
		fakes = append(fakes, trickle(t, ts.url, fake))
	}
	for i, c := range unsigned {
		if code := answer(c, 5*time.Second); code != http.StatusUnauthorized && code != http.StatusForbidden {
			t.Errorf("trickling POST %d without a valid signature header is answered at once with 401/403, got %d", i, code)
		}
	}
	n := 0
	deadline := time.Now().Add(10 * time.Second)
	for {
		n++
		code := postSigned(t, ts.url, envelopeOf(textMessage("101", "1", fmt.Sprintf("wamid.SLOW%d", n), "x")))
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Meta's signed POST never got through while slow unauthenticated bodies were open: last %d", code)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i, c := range fakes {
		if code := answer(c, 5*time.Second); code != http.StatusRequestTimeout {
			t.Errorf("a trickling body with a wrong signature is cut off at the read deadline (408), POST %d got %d", i, code)
		}
	}
	if got := counter(t, ts.registry, "whatsapp_webhook_requests_total", map[string]string{"outcome": "signature_missing"}); got != 16 {
		t.Errorf("16 POSTs without a signature counted, got %v", got)
	}
}
