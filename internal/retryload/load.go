package retryload

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// maxAttempts bounds Meta's retries of one batch in the test.
const maxAttempts = 200

// Load sends the batches to URL (the proxy's webhook path) as Meta does.
type Load struct {
	url, appSecret, waba string
	a, b                 Number
	botA, botB           *Bot
	client               *http.Client
	// early counts 200s answered before every message of the batch had
	// reached its chatbot.
	early atomic.Int64
}

// New returns the load of numbers a (chatbot botA) and b (botB) of WABA
// waba, signed with appSecret, posted to url.
func New(tb testing.TB, url, appSecret, waba string, a, b Number, botA, botB *Bot) *Load {
	tr := &http.Transport{MaxIdleConnsPerHost: 2 * Senders}
	tb.Cleanup(tr.CloseIdleConnections)
	return &Load{url: url, appSecret: appSecret, waba: waba, a: a, b: b, botA: botA, botB: botB,
		client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// Deliver sends batch n as Meta does: again, to another replica, until it
// gets 200; then it checks that every message of the batch had reached
// its chatbot (Early counts the batches where not).
func (l *Load) Deliver(tb testing.TB, n int) {
	body, idsA, idsB := Batch(l.waba, l.a, l.b, n)
	sig := Signature(l.appSecret, body)
	avoid := ""
	for attempt := 1; ; attempt++ {
		if attempt > maxAttempts {
			tb.Errorf("batch %d: still not acknowledged after %d attempts", n, attempt-1)
			return
		}
		req, _ := http.NewRequest(http.MethodPost, l.url, bytes.NewReader(body))
		req.Header.Set("X-Hub-Signature-256", sig)
		req.Header.Set("Content-Type", "application/json")
		if avoid != "" {
			req.Header.Set(AvoidHeader, avoid)
		}
		resp, err := l.client.Do(req)
		if err != nil {
			tb.Errorf("batch %d: %v", n, err)
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			if !l.botA.Has(idsA) || !l.botB.Has(idsB) {
				l.early.Add(1)
			}
			return
		}
		if resp.StatusCode != http.StatusServiceUnavailable {
			tb.Errorf("batch %d: answered %d, want 200 or a retryable 503", n, resp.StatusCode)
			return
		}
		avoid = resp.Header.Get(ReplicaHeader)
		// Meta backs off between retries; a short one keeps the test lean.
		time.Sleep(time.Duration(attempt) * 5 * time.Millisecond)
	}
}

// Run sends batches 0 to Batches-1 with Senders senders; every
// DupEvery-th batch is sent by two senders at once. progress, when not
// nil, is called after each batch is acknowledged, with the number
// acknowledged so far.
func (l *Load) Run(tb testing.TB, progress func(done int64)) {
	work := make(chan int)
	var done atomic.Int64
	var wg sync.WaitGroup
	for range Senders {
		wg.Go(func() {
			for n := range work {
				if n%DupEvery == 0 {
					var dup sync.WaitGroup
					dup.Go(func() { l.Deliver(tb, n) })
					l.Deliver(tb, n)
					dup.Wait()
				} else {
					l.Deliver(tb, n)
				}
				if progress != nil {
					progress(done.Add(1))
				}
			}
		})
	}
	for n := range Batches {
		work <- n
	}
	close(work)
	wg.Wait()
}

// Counts returns, over both chatbots, how many ids of the Batches were
// accepted once, more than once, and never.
func (l *Load) Counts() (once, twice, missing int) {
	for n := range Batches {
		_, idsA, idsB := Batch(l.waba, l.a, l.b, n)
		for _, c := range []struct {
			bot *Bot
			ids []string
		}{{l.botA, idsA}, {l.botB, idsB}} {
			for _, id := range c.ids {
				switch k := c.bot.Accepted(id); {
				case k == 0:
					missing++
				case k == 1:
					once++
				default:
					twice++
				}
			}
		}
	}
	return once, twice, missing
}

// Early is how many batches were acknowledged (200) before every one of
// their messages had reached its chatbot.
func (l *Load) Early() int64 { return l.early.Load() }
