package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// A chatbot that holds neither the access token nor the app secret gets
// a WhatsApp message, verifies it with the forwarding key, and replies
// through the relay the operator deployed; the reply reaches Meta once,
// sent with the provider's token by the relay.
func TestChatbotRepliesThroughTheRelay(t *testing.T) {
	t.Parallel()
	s := newStack(t, Options{})
	echo := NewEchoBot(func() string { return s.RelayURL }, func() ([]byte, error) {
		k, err := s.ForwardingKey(s.ctx, provider)
		return []byte(k), err
	})
	bot := NewChatbot(echo.Handle)
	t.Cleanup(bot.Close)
	s.readyProvider()
	s.readyChannel("support-us", bot.URL)

	s.deliverExpect(AppSecret, graphsim.TextMessageWebhook(InboundFrom("4915112345678", "Jana"), "Is it in stock?"), http.StatusOK)
	replies, errs := echo.Sent()
	if len(errs) > 0 || len(replies) != 1 {
		t.Fatalf("the bot's reply through the relay: replies %q, errors %v", replies, errs)
	}
	sent := s.Sim.SentMessages(PhoneNumberID)
	if len(sent) != 1 || sent[0].To != "4915112345678" || sent[0].Type != "text" {
		t.Fatalf("Meta holds %+v, want the one echo reply to the user", sent)
	}
	if !contains(sent[0].Body, "Echo: Is it in stock?") {
		t.Errorf("Meta got the bot's text: %s", sent[0].Body)
	}
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }
