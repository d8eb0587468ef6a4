package retryload

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Bot is a chatbot on loopback that counts the message ids it accepted.
// It refuses (503) the first delivery of batch n when fail(n) holds, as a
// chatbot that fails for a moment does.
type Bot struct {
	srv      *httptest.Server
	fail     func(batch int) bool
	mu       sync.Mutex
	accepted map[string]int
	refused  map[int]bool
}

// NewBot starts a Bot; it is closed when the test ends.
func NewBot(tb testing.TB, fail func(batch int) bool) *Bot {
	b := &Bot{fail: fail, accepted: map[string]int{}, refused: map[int]bool{}}
	b.srv = httptest.NewServer(http.HandlerFunc(b.serve))
	tb.Cleanup(b.srv.Close)
	return b
}

// NewBots starts the load's two chatbots: A accepts everything; B refuses
// its part of every FailEvery-th batch once, so that Meta retries that
// batch with A's part already delivered.
func NewBots(tb testing.TB) (a, b *Bot) {
	return NewBot(tb, func(int) bool { return false }), NewBot(tb, func(n int) bool { return n%FailEvery == 0 })
}

// URL is where a channel's spec.chatbot.url points.
func (b *Bot) URL() string { return b.srv.URL + "/hook" }

func (b *Bot) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var env struct {
		Entry []struct {
			Changes []struct {
				Value struct {
					Messages []struct {
						ID string `json:"id"`
					} `json:"messages"`
				} `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var ids []string
	batch := -1
	for _, e := range env.Entry {
		for _, c := range e.Changes {
			for _, m := range c.Value.Messages {
				ids = append(ids, m.ID)
				_, _ = fmt.Sscanf(m.ID, "wamid.b%d.", &batch)
			}
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if batch >= 0 && b.fail(batch) && !b.refused[batch] {
		b.refused[batch] = true
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	for _, id := range ids {
		b.accepted[id]++
	}
	w.WriteHeader(http.StatusOK)
}

// Has reports whether every id was accepted.
func (b *Bot) Has(ids []string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, id := range ids {
		if b.accepted[id] == 0 {
			return false
		}
	}
	return true
}

// Accepted is how many times id was accepted.
func (b *Bot) Accepted(id string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.accepted[id]
}

// Refused is how many batches the Bot refused once.
func (b *Bot) Refused() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.refused)
}
