package webhookserver

import (
	"bytes"
	"net/http"
	"testing"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// TestRefusalLogsAreRateLimited (issue 9 item 7): lines anyone on the
// internet can cause are written once per minute per kind; every refusal
// is still counted, and the lines held back are counted too.
func TestRefusalLogsAreRateLimited(t *testing.T) {
	const attempts = 30
	valid := envelopeOf(textMessage("101", "1", "wamid.L1", "x"))
	cases := map[string]struct {
		reason string
		send   func(t *testing.T, url string) int
		line   string
		kind   string
		want   int
	}{
		"WrongSignature": {
			reason: "a body signed with another secret",
			send: func(t *testing.T, url string) int {
				return post(t, url, valid, signatureHeader([]byte("not-the-secret"), valid)).StatusCode
			},
			line: "webhook refused: signature", kind: logSignature, want: http.StatusForbidden,
		},
		"MissingSignature": {
			reason: "no signature at all",
			send:   func(t *testing.T, url string) int { return post(t, url, valid, "").StatusCode },
			line:   "webhook refused: signature", kind: logSignature, want: http.StatusUnauthorized,
		},
		"Handshake": {
			reason: "a verification handshake with a wrong token",
			send: func(t *testing.T, url string) int {
				resp, err := http.Get(url + PathWebhook + "?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1")
				if err != nil {
					t.Fatal(err)
				}
				_ = resp.Body.Close()
				return resp.StatusCode
			},
			line: "verification handshake refused", kind: logHandshake, want: http.StatusForbidden,
		},
		"TooLarge": {
			reason: "a body over the size cap",
			send: func(t *testing.T, url string) int {
				big := bytes.Repeat([]byte(" "), 4<<20+1)
				return post(t, url, big, signatureHeader([]byte("x"), big)).StatusCode
			},
			line: "webhook refused: body too large", kind: logTooLarge, want: http.StatusRequestEntityTooLarge,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			bot := newChatbot(t)
			ts := newTestServer(t, []whatsappv1alpha1.WhatsAppChannel{newChannel("us", "+12025550101", "101", urlBot(bot.srv.URL))})
			for i := range attempts {
				if code := tc.send(t, ts.url); code != tc.want {
					t.Fatalf("%s: attempt %d got %d, want %d", tc.reason, i, code, tc.want)
				}
			}
			if n := logLevels(t, ts.logs.String(), tc.line)["INFO"]; n != 1 {
				t.Errorf("%s: %d lines %q at the default level, want 1 per minute", tc.reason, n, tc.line)
			}
			if got := counter(t, ts.registry, "whatsapp_webhook_log_lines_suppressed_total", map[string]string{"kind": tc.kind}); got != attempts-1 {
				t.Errorf("%s: %v lines held back counted, want %d", tc.reason, got, attempts-1)
			}
		})
	}
}
