package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/test/e2e"
)

// echoBot is the demo's chatbot logic: it answers every inbound text with
// "Echo: <text>" through the Graph API's send endpoint (the simulator), as
// a bot holding the access token does today. (The webhook server's outbound
// relay, which will keep the token from bots, is not built yet.)
type echoBot struct {
	graph *graph.Client

	mu      sync.Mutex
	replies []string
	errs    []error
}

// newEchoBot sends through the Graph API at graphURL.
func newEchoBot(graphURL string) *echoBot {
	c := graph.New(graph.Config{
		BaseURL: graphURL, Version: e2e.GraphAPIVersion,
		HTTPClient: &http.Client{Timeout: 5 * time.Second},
		Limits:     graph.Limits{Disabled: true},
	}, e2e.AccessToken)
	return &echoBot{graph: c}
}

// handle replies to the text messages of one forwarded webhook.
func (e *echoBot) handle(f e2e.Forwarded) {
	msgs, err := f.TextMessages()
	if err != nil {
		e.record("", fmt.Errorf("read the webhook: %w", err))
		return
	}
	for _, m := range msgs {
		reply := "Echo: " + m.Text
		body, _ := json.Marshal(map[string]any{
			"messaging_product": "whatsapp", "recipient_type": "individual", "to": m.From,
			"type": "text", "text": map[string]string{"body": reply},
			"context": map[string]string{"message_id": m.ID},
		})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := e.graph.SendMessage(ctx, m.PhoneNumberID, body)
		cancel()
		e.record(reply, err)
	}
}

func (e *echoBot) record(reply string, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err != nil {
		e.errs = append(e.errs, err)
		return
	}
	e.replies = append(e.replies, reply)
}

// sent returns the replies sent and the errors met.
func (e *echoBot) sent() ([]string, []error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.replies...), append([]error(nil), e.errs...)
}
