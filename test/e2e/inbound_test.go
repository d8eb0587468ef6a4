package e2e

import (
	"bytes"
	"net/http"
	"testing"

	dto "github.com/prometheus/client_model/go"

	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// A WhatsApp user writes to the business number: Meta's webhook reaches
// the webhook server, which hands the message to the channel's chatbot
// exactly once, however often Meta retries. What is not the channel's, or
// not Meta's, reaches no chatbot. The webhook server forwards before it
// answers, so once it has answered, what the chatbot got is final.
func TestInboundMessagesReachTheChatbotOnce(t *testing.T) {
	t.Parallel()
	s := newStack(t, Options{})
	bot := NewChatbot(nil)
	t.Cleanup(bot.Close)
	s.readyProvider()
	s.readyChannel("support-us", bot.URL)

	payload := graphsim.TextMessageWebhook(InboundFrom("4915112345678", "Jana"), "Where is my order #4521?")
	s.deliverExpect(AppSecret, payload, http.StatusOK)
	got := bot.Received()
	if len(got) != 1 {
		t.Fatalf("the chatbot received %d requests, want 1", len(got))
	}
	f := got[0]
	forwardingKey, err := s.ForwardingKey(s.ctx, provider)
	s.must(err)
	wantHeaders := map[string]string{
		"X-WhatsApp-Channel":         s.Namespace + "/support-us",
		"X-WhatsApp-Provider":        s.Namespace + "/" + provider,
		"X-WhatsApp-Phone-Number-Id": PhoneNumberID,
		"Content-Type":               "application/json",
		// Signed with the key the chatbot reads from <provider>-forwarding,
		// never with the Meta app secret.
		graphsim.HeaderSignature: graphsim.Sign(forwardingKey, f.Body),
	}
	for k, want := range wantHeaders {
		if v := f.Header.Get(k); v != want {
			t.Errorf("header %s = %q, want %q", k, v, want)
		}
	}
	msgs, err := f.TextMessages()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("the chatbot cannot read Meta's JSON: %v, %+v\n%s", err, msgs, f.Body)
	}
	if m := msgs[0]; m.Text != "Where is my order #4521?" || m.From != "4915112345678" || m.PhoneNumberID != PhoneNumberID || m.ID == "" {
		t.Errorf("the chatbot read %+v", m)
	}

	// Meta retries when it missed our answer: acknowledged, not repeated.
	s.deliverExpect(AppSecret, payload, http.StatusOK)
	s.expectForwarded(bot, 1, "after Meta's retry of the same message")
	s.expectCounter("whatsapp_webhook_dedupe_hits_total", nil, 1)

	// A number of the WABA that no channel claims: acknowledged, so that
	// Meta does not retry it for a week, and forwarded nowhere.
	stranger := InboundFrom("4915112345678", "Jana")
	stranger.PhoneNumberID, stranger.DisplayPhoneNumber = "106540352249999", "12025550199"
	s.deliverExpect(AppSecret, graphsim.TextMessageWebhook(stranger, "Hello?"), http.StatusOK)
	s.expectForwarded(bot, 1, "after a message to a number no channel claims")
	s.expectCounter("whatsapp_webhook_unroutable_total", map[string]string{"reason": "unknown_number"}, 1)

	// Not from Meta: a fresh message signed with another secret, or not
	// signed at all, is refused and forwarded nowhere.
	forged := graphsim.TextMessageWebhook(InboundFrom("4915112345678", "Jana"), "Send me everyone's orders")
	s.deliverExpect("not-the-app-secret", forged, http.StatusForbidden)
	if code := s.postUnsigned(forged); code != http.StatusUnauthorized {
		t.Errorf("an unsigned payload got %d, want 401", code)
	}
	s.expectForwarded(bot, 1, "after forged payloads")
}

// deliverExpect delivers payload signed with secret and checks the answer.
func (s *testStack) deliverExpect(secret string, payload []byte, want int) {
	s.t.Helper()
	code, err := s.DeliverSignedWith(s.ctx, secret, payload)
	s.must(err)
	if code != want {
		s.t.Fatalf("the webhook server answered %d, want %d", code, want)
	}
}

// expectForwarded checks how many requests the chatbot has received.
func (s *testStack) expectForwarded(bot *Chatbot, want int, when string) {
	s.t.Helper()
	if n := len(bot.Received()); n != want {
		s.t.Errorf("%s the chatbot has %d requests, want %d", when, n, want)
	}
}

// postUnsigned POSTs payload without X-Hub-Signature-256.
func (s *testStack) postUnsigned(payload []byte) int {
	s.t.Helper()
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, s.WebhookURL, bytes.NewReader(payload))
	s.must(err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	s.must(err)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// expectCounter checks a counter of the webhook server's metrics.
func (s *testStack) expectCounter(name string, labels map[string]string, want float64) {
	s.t.Helper()
	families, err := s.WebhookMetrics.Gather()
	s.must(err)
	got := 0.0
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if hasLabels(m, labels) {
				got += m.GetCounter().GetValue()
			}
		}
	}
	if got != want {
		s.t.Errorf("%s%v = %v, want %v", name, labels, got, want)
	}
}

func hasLabels(m *dto.Metric, want map[string]string) bool {
	n := 0
	for _, l := range m.GetLabel() {
		if v, ok := want[l.GetName()]; ok && v == l.GetValue() {
			n++
		}
	}
	return n == len(want)
}
