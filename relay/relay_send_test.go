package relay

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// TestLimitsRefusedBeforeMeta sends one body per rule over real HTTP: each
// is a 400 in Meta's shape whose message names the limit, and not one
// request reaches the simulator.
func TestLimitsRefusedBeforeMeta(t *testing.T) {
	t.Parallel()
	bigImage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Content-Length", strconv.Itoa(6<<20))
		if r.Method == http.MethodHead {
			return
		}
	}))
	defer bigImage.Close()
	htmlPage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}))
	defer htmlPage.Close()
	h := startHarness(t, setup{})
	long := func(n int) string { return strings.Repeat("y", n) }
	cases := map[string]struct {
		body   map[string]any
		wantIn string
	}{
		"caption":         {body: map[string]any{"messaging_product": "whatsapp", "to": testRecipient, "type": "image", "image": map[string]any{"id": "1", "caption": long(1025)}}, wantIn: "image.caption has 1025 characters, at most 1024"},
		"buttons":         {body: interactiveButtons(4, "Yes"), wantIn: "at most 3 reply buttons"},
		"button title":    {body: interactiveButtons(1, long(21)), wantIn: "reply.title has 21 characters, 1 to 20"},
		"recipient":       {body: map[string]any{"messaging_product": "whatsapp", "to": "not-a-number", "type": "text", "text": map[string]any{"body": "hi"}}, wantIn: `to "not-a-number" is not a phone number`},
		"image size":      {body: map[string]any{"messaging_product": "whatsapp", "to": testRecipient, "type": "image", "image": map[string]any{"link": bigImage.URL + "/big.png"}}, wantIn: "image.link points at a file of 6291456 bytes (its Content-Length): a image must be JPG, PNG or WEBP, at most 5 MB"},
		"image type":      {body: map[string]any{"messaging_product": "whatsapp", "to": testRecipient, "type": "image", "image": map[string]any{"link": htmlPage.URL + "/page"}}, wantIn: "image.link serves text/html"},
		"sticker size":    {body: map[string]any{"messaging_product": "whatsapp", "to": testRecipient, "type": "sticker", "sticker": map[string]any{"link": bigImage.URL + "/s.webp"}}, wantIn: "a sticker must be WEBP, at most 100 KB (500 KB animated)"},
		"text too long":   {body: text(long(17 * MaxTextRunes)), wantIn: "text.body has 69632 characters"},
		"list rows":       {body: interactiveList(11), wantIn: "11 rows in all, 1 to 10"},
		"no product":      {body: map[string]any{"to": testRecipient, "type": "text", "text": map[string]any{"body": "hi"}}, wantIn: "messaging_product"},
		"header too long": {body: map[string]any{"messaging_product": "whatsapp", "to": testRecipient, "type": "interactive", "interactive": map[string]any{"type": "cta_url", "header": map[string]any{"type": "text", "text": long(61)}}}, wantIn: "interactive.header.text has 61 characters, at most 60"},
	}
	for name, tc := range cases {
		a := h.send(testPNID, tc.body)
		if a.status != http.StatusBadRequest || !strings.Contains(a.errMessage(), tc.wantIn) {
			t.Errorf("%s: got %d %s, want 400 naming %q", name, a.status, a.raw, tc.wantIn)
		}
		if fbtrace, _ := a.body["error"].(map[string]any)["fbtrace_id"].(string); !strings.HasPrefix(fbtrace, "relay-") {
			t.Errorf("%s: the relay's own error carries a relay trace id, got %q", name, fbtrace)
		}
	}
	if n := h.sendCalls(); n != 0 {
		t.Errorf("%d refused sends reached the simulator, want 0", n)
	}
}

// TestLongTextArrivesAsOrderedParts sends 10,000 characters: Meta gets
// parts of at most 4096, cut at spaces, in order, and the chatbot every
// wamid in that order.
func TestLongTextArrivesAsOrderedParts(t *testing.T) {
	t.Parallel()
	h := startHarness(t, setup{})
	var b strings.Builder
	for i := 0; b.Len() < 10000; i++ {
		b.WriteString("word" + strconv.Itoa(i) + " ")
	}
	long := strings.TrimSpace(b.String())[:10000]
	a := h.send(testPNID, text(long))
	if a.status != http.StatusOK {
		t.Fatalf("got %d %s", a.status, a.raw)
	}
	sent := h.sim.SentMessages(testPNID)
	if len(sent) != 3 {
		t.Fatalf("Meta got %d messages, want 3 parts", len(sent))
	}
	var parts []string
	for i, m := range sent {
		var body struct {
			Text struct{ Body string } `json:"text"`
		}
		_ = json.Unmarshal(m.Body, &body)
		if n := utf8.RuneCountInString(body.Text.Body); n > MaxTextRunes {
			t.Errorf("part %d has %d characters", i, n)
		}
		parts = append(parts, body.Text.Body)
	}
	for i := range parts[:len(parts)-1] {
		cut := len(strings.Join(parts[:i+1], " "))
		if cut >= len(long) || !unicode.IsSpace(rune(long[cut])) {
			t.Errorf("cut %d is not at a space of the original text", i)
		}
	}
	if strings.Join(parts, " ") != long {
		t.Error("the parts joined by the spaces they were cut at are not the text")
	}
	got := a.wamids()
	if len(got) != 3 || got[0] != sent[0].ID || got[1] != sent[1].ID || got[2] != sent[2].ID {
		t.Errorf("the answer lists %v, want every part's wamid in order", got)
	}
}

// TestOnlyReadyChannelsOfTheProviderSend refuses a number of another
// provider's channel, of a channel not Ready, and an unknown one, in
// Meta's "object does not exist" shape; nothing reaches Meta.
func TestOnlyReadyChannelsOfTheProviderSend(t *testing.T) {
	t.Parallel()
	h := startHarness(t, setup{before: func(h *harness) {
		h.createChannel("other", "another-provider", otherPNID, true)
		h.createChannel("not-ready", "acme", "106540352242777", false)
	}})
	for _, id := range []string{otherPNID, "106540352242777", "999"} {
		a := h.send(id, text("hi"))
		if a.status != http.StatusBadRequest || a.errCode() != 100 || !strings.Contains(a.errMessage(), "Object with ID '"+id+"' does not exist") {
			t.Errorf("number %s: got %d %s, want Meta's 100/33 naming the id", id, a.status, a.raw)
		}
	}
	if n := h.sendCalls(); n != 0 {
		t.Errorf("%d sends of foreign numbers reached Meta", n)
	}
}

// TestAuthorizationIsNeverForwarded: a chatbot's own Authorization header
// is ignored; Meta sees the provider's token, and Meta's error answers
// come back with Meta's status, code and fbtrace_id.
func TestAuthorizationIsNeverForwarded(t *testing.T) {
	t.Parallel()
	h := startHarness(t, setup{})
	a := h.send(testPNID, text("hi"), "Authorization", "Bearer attacker-token")
	if a.status != http.StatusOK || len(a.wamids()) != 1 {
		t.Fatalf("a chatbot's Authorization header does not matter: got %d %s", a.status, a.raw)
	}
	h.sim.InjectFault(graphsim.Fault{Endpoint: graphsim.EndpointSendMessage, Kind: graphsim.FaultError, Times: 1, Code: 131026, Message: "(#131026) Message undeliverable"})
	a = h.send(testPNID, text("hi"))
	e, _ := a.body["error"].(map[string]any)
	if a.status != http.StatusBadRequest || a.errCode() != 131026 || e["fbtrace_id"] == nil || strings.HasPrefix(e["fbtrace_id"].(string), "relay-") {
		t.Errorf("Meta's error passes through with its code and fbtrace_id: %d %s", a.status, a.raw)
	}
	for _, leaked := range []string{testAccessToken, testAppSecret, testVerifyToken} {
		if strings.Contains(h.logs.String(), leaked) {
			t.Error("a secret reached the logs")
		}
	}
}

func interactiveButtons(n int, title string) map[string]any {
	var buttons []any
	for i := range n {
		buttons = append(buttons, map[string]any{"type": "reply", "reply": map[string]any{"id": "b" + strconv.Itoa(i), "title": title}})
	}
	return map[string]any{"messaging_product": "whatsapp", "to": testRecipient, "type": "interactive", "interactive": map[string]any{
		"type": "button", "body": map[string]any{"text": "Pick one"}, "action": map[string]any{"buttons": buttons}}}
}

func interactiveList(rows int) map[string]any {
	var rs []any
	for i := range rows {
		rs = append(rs, map[string]any{"id": "r" + strconv.Itoa(i), "title": "Row " + strconv.Itoa(i)})
	}
	return map[string]any{"messaging_product": "whatsapp", "to": testRecipient, "type": "interactive", "interactive": map[string]any{
		"type": "list", "body": map[string]any{"text": "Pick one"}, "action": map[string]any{"button": "Open", "sections": []any{map[string]any{"title": "All", "rows": rs}}}}}
}

// TestLinkCheckNeverReachesThePod: without an opt-in, a media link to
// loopback (this pod) is never fetched by the relay's check; the check
// cannot tell, so the message goes to Meta, which fetches links itself.
func TestLinkCheckNeverReachesThePod(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Length", strconv.Itoa(50<<20))
	}))
	defer internal.Close()
	h := startHarness(t, setup{options: func(o *Options) { o.LinkAllow = nil }})
	a := h.send(testPNID, map[string]any{"messaging_product": "whatsapp", "to": testRecipient, "type": "image", "image": map[string]any{"link": internal.URL + "/secret.png"}})
	if a.status != http.StatusOK {
		t.Errorf("an unknown link is Meta's to judge: %d %s", a.status, a.raw)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the relay's link check reached a loopback server %d times", n)
	}
	if n := counter(h.reg, "whatsapp_relay_link_checks_total", map[string]string{"result": "unknown"}); n != 1 {
		t.Errorf("link_checks_total{result=unknown} = %v", n)
	}
}

// TestBusyAndUnknownPaths: past its buffer budget the relay answers 503
// code 2 at once (nothing sent, send again); paths other than the send
// API get Meta's unknown-path error.
func TestBusyAndUnknownPaths(t *testing.T) {
	t.Parallel()
	h := startHarness(t, setup{options: func(o *Options) { o.MaxBufferedBytes = 64 }})
	a := h.send(testPNID, text(strings.Repeat("long enough to need more than 64 bytes ", 3)))
	if a.status != http.StatusServiceUnavailable || a.errCode() != 2 {
		t.Errorf("over the buffer budget: %d %s, want 503 code 2", a.status, a.raw)
	}
	for _, path := range []string{"/v25.0/" + testPNID, "/v25.0/" + testPNID + "/message_templates", "/latest/" + testPNID + "/messages"} {
		if a := h.post(path, "application/json", []byte(`{}`)); a.status != http.StatusBadRequest || a.errCode() != 2500 {
			t.Errorf("%s: %d %s, want 400 code 2500", path, a.status, a.raw)
		}
	}
	if n := h.sendCalls(); n != 0 {
		t.Errorf("%d sends reached Meta", n)
	}
}
