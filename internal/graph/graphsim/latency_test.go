package graphsim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// TestLatencyHoldsEveryAnswer: with Latency set, a client that waits less
// than it gets no answer and nothing is sent; a client that waits longer
// gets Meta's answer. The wall clock only bounds the first client from
// below, which a slow machine cannot break.
func TestLatencyHoldsEveryAnswer(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, graphsim.Options{Latency: 300 * time.Millisecond})
	body, err := json.Marshal(textTo("16505551234"))
	if err != nil {
		t.Fatal(err)
	}
	send := func(timeout time.Duration) (int, error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.URL+messagesPath, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		_ = resp.Body.Close()
		return resp.StatusCode, nil
	}
	if _, err := send(20 * time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a client waiting 20ms for a 300ms Meta: %v, want its deadline exceeded", err)
	}
	if status, err := send(30 * time.Second); err != nil || status != http.StatusOK {
		t.Errorf("a client that waits gets Meta's answer: %d %v", status, err)
	}
	eventuallySent(t, e, 1)
}

// eventuallySent waits for the simulator to settle at want accepted sends:
// a call whose client gave up returns from the handler on its own time.
func eventuallySent(t *testing.T, e *simEnv, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := len(e.sim.SentMessages(phoneID))
		if got == want && e.sim.CallCounts()[graphsim.EndpointSendMessage] == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages sent, %d send calls served; want %d of each (the abandoned call is neither)", got, e.sim.CallCounts()[graphsim.EndpointSendMessage], want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
