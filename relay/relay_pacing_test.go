package relay

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
	"github.com/kubechat/whatsapp-operator/internal/testwait"
)

// TestBurstIsPacedPerNumber sends 500 messages to one number at once (25
// recipients, 20 messages each): every one is delivered, each recipient's
// in the order sent, and no second at the simulator counted more than the
// number's rate. The simulator refuses with 130429 past that rate, so a
// relay that overshot would show retries or failures.
func TestBurstIsPacedPerNumber(t *testing.T) {
	t.Parallel()
	rate := graph.DefaultMessagesPerSecond
	h := startHarness(t, setup{sim: graphsim.Options{MessagesPerSecond: rate}})
	const recipients, each = 25, 20
	var wg sync.WaitGroup
	failures := make(chan string, recipients*each)
	for r := range recipients {
		wg.Go(func() {
			to := fmt.Sprintf("1650555%04d", r)
			for i := range each {
				msg := text(fmt.Sprintf("%s #%d", to, i))
				msg["to"] = to
				if a := h.send(testPNID, msg); a.status != http.StatusOK {
					failures <- fmt.Sprintf("%s #%d: %d %s", to, i, a.status, a.raw)
				}
			}
		})
	}
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Error(f)
	}
	sent := h.sim.SentMessages(testPNID)
	if len(sent) != recipients*each {
		t.Fatalf("Meta accepted %d messages, want %d", len(sent), recipients*each)
	}
	next := map[string]int{}
	for _, m := range sent {
		var b struct {
			Text struct{ Body string } `json:"text"`
		}
		must(t, json.Unmarshal(m.Body, &b))
		want := fmt.Sprintf("%s #%d", m.To, next[m.To])
		if b.Text.Body != want {
			t.Fatalf("recipient %s got %q where %q was next: out of order", m.To, b.Text.Body, want)
		}
		next[m.To]++
	}
	if most := h.sim.MaxSendsInASecond(testPNID); most > rate {
		t.Errorf("the simulator counted %d sends in one second, more than the number's %d", most, rate)
	}
	if calls := h.sendCalls(); calls != recipients*each {
		t.Errorf("%d send requests for %d messages: the relay met a 130429 it should have avoided", calls, recipients*each)
	}
	if waits := gauge(h.reg, "whatsapp_relay_rate_limit_waits_total"); waits == 0 {
		t.Error("500 sends at once never waited for the budget: the pacing did nothing")
	}
}

// TestThroughputAnswerIsRetriedOnce: Meta answers 130429, then accepts;
// exactly one message arrives and the chatbot gets its wamid.
func TestThroughputAnswerIsRetriedOnce(t *testing.T) {
	t.Parallel()
	h := startHarness(t, setup{})
	for _, code := range []int{130429, 131056, 2} {
		before := len(h.sim.SentMessages(testPNID))
		calls := h.sendCalls()
		h.sim.InjectFault(graphsim.Fault{Endpoint: graphsim.EndpointSendMessage, Kind: graphsim.FaultRateLimit, Code: code, Times: 1})
		if code == 2 {
			h.sim.ClearFaults()
			h.sim.InjectFault(graphsim.Fault{Endpoint: graphsim.EndpointSendMessage, Kind: graphsim.FaultServerError, Status: http.StatusServiceUnavailable, Times: 1})
		}
		a := h.send(testPNID, text("once "+strconv.Itoa(code)))
		if a.status != http.StatusOK || len(a.wamids()) != 1 {
			t.Fatalf("code %d then success: got %d %s", code, a.status, a.raw)
		}
		if got := len(h.sim.SentMessages(testPNID)) - before; got != 1 {
			t.Errorf("code %d: %d messages at Meta, want exactly 1", code, got)
		}
		if got := h.sendCalls() - calls; got != 2 {
			t.Errorf("code %d: %d requests, want 2 (refused, then accepted)", code, got)
		}
		if n := counter(h.reg, "whatsapp_relay_retries_total", map[string]string{"code": strconv.Itoa(code)}); code != 2 && n == 0 {
			t.Errorf("retries_total{code=%d} not counted", code)
		}
	}
}

// TestLostAnswerIsNeverResent: Meta takes longer than the relay's send
// timeout; the request may have been processed, so the relay does not
// send it again and tells the chatbot the outcome is unknown.
func TestLostAnswerIsNeverResent(t *testing.T) {
	t.Parallel()
	h := startHarness(t, setup{options: func(o *Options) { o.SendTimeout = 1500 * time.Millisecond }})
	h.sim.InjectFault(graphsim.Fault{Endpoint: graphsim.EndpointSendMessage, Kind: graphsim.FaultSlow, Delay: 20 * time.Second, Times: 1})
	a := h.send(testPNID, text("maybe delivered"))
	if a.status != http.StatusGatewayTimeout || a.errCode() != 131000 || !contains(a.errMessage(), "may have been delivered") {
		t.Fatalf("got %d %s, want 504 saying the outcome is unknown", a.status, a.raw)
	}
	if n := h.sendCalls(); n != 1 {
		t.Errorf("%d requests reached Meta, want exactly 1: a lost answer is never resent", n)
	}
	if n := counter(h.reg, "whatsapp_relay_requests_total", map[string]string{"outcome": outcomeUnknown}); n != 1 {
		t.Errorf("requests_total{outcome=outcome_unknown} = %v", n)
	}
	if a := h.send(testPNID, text("next")); a.status != http.StatusOK {
		t.Errorf("the next send goes through: %d %s", a.status, a.raw)
	}
}

// TestRetriedMessageIsNotOvertaken: a message waiting out a 130429 holds
// its recipient's lane, so a later message to the same person arrives
// after it.
func TestRetriedMessageIsNotOvertaken(t *testing.T) {
	t.Parallel()
	h := startHarness(t, setup{})
	h.sim.InjectFault(graphsim.Fault{Endpoint: graphsim.EndpointSendMessage, Kind: graphsim.FaultRateLimit, Code: 130429, Times: 1})
	first := make(chan answer, 1)
	go func() { first <- h.send(testPNID, text("first")) }()
	testwait.Until(t, 10*time.Second, "the first send met 130429", func() bool { return h.sendCalls() >= 1 })
	second := h.send(testPNID, text("second"))
	if a := <-first; a.status != http.StatusOK || second.status != http.StatusOK {
		t.Fatalf("first %d %s, second %d %s", a.status, a.raw, second.status, second.raw)
	}
	sent := h.sim.SentMessages(testPNID)
	var order []string
	for _, m := range sent {
		var b struct {
			Text struct{ Body string } `json:"text"`
		}
		_ = json.Unmarshal(m.Body, &b)
		order = append(order, b.Text.Body)
	}
	if len(order) != 2 || order[0] != "first" || order[1] != "second" {
		t.Errorf("Meta got %v, want [first second]", order)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
