package scaleout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/sharedstore"
	"github.com/kubechat/whatsapp-operator/test/e2e"
)

// sharedBudgetSlack is the documented slack of the shared budget
// (decision 023): the store admits at most the rate in any second of its
// clock, plus one (its burst of two); Meta counts arrivals, which the
// network's latency spreads, so a second at Meta may count rate × spread
// + 2 more. The test allows a spread of 100 ms.
func sharedBudgetSlack(rate int) int { return rate/10 + 2 }

// relaysShareOneBudget: chatbots send a burst of 1,000 messages to one
// number, half through each relay process (100 recipients, 10 messages
// each, in order). Every send is answered with a wamid and reaches Meta
// once; the simulator (which refuses nothing here, so that it counts every
// arrival) never counts more than the number's rate in one second, beyond
// the documented slack; the burst is paced at the number's whole rate,
// not at a half per replica (spec.relay.replicas is 2: without the store
// each would fall back to half of it, which is counted and must not
// happen with Redis up).
func relaysShareOneBudget(t *testing.T, c *cluster) {
	const workers, each = 100, 10
	rate := graph.DefaultMessagesPerSecond
	client := &http.Client{Timeout: time.Minute}
	failures := make(chan string, workers*each)
	wamids := make(chan string, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			relay := c.relays[w%len(c.relays)]
			to := fmt.Sprintf("1650555%04d", w)
			for i := range each {
				id, err := send(client, relay, to, fmt.Sprintf("%s #%d", to, i))
				if err != nil {
					failures <- fmt.Sprintf("%s #%d: %v", to, i, err)
					continue
				}
				wamids <- id
			}
		})
	}
	wg.Wait()
	close(failures)
	close(wamids)
	for f := range failures {
		t.Error(f)
	}
	distinct := map[string]bool{}
	for id := range wamids {
		distinct[id] = true
	}
	if len(distinct) != workers*each {
		t.Errorf("%d distinct wamids answered, want %d", len(distinct), workers*each)
	}
	if sent := len(c.Sim.SentMessages(e2e.PhoneNumberID)); sent != workers*each {
		t.Errorf("Meta accepted %d messages, want %d", sent, workers*each)
	}
	most := c.Sim.MaxSendsInASecond(e2e.PhoneNumberID)
	if most > rate+sharedBudgetSlack(rate) {
		t.Errorf("the simulator counted %d sends in one second: more than the number's %d plus the slack %d", most, rate, sharedBudgetSlack(rate))
	}
	seconds := len(c.Sim.SendsPerSecond(e2e.PhoneNumberID))
	t.Logf("1,000 sends through two relay processes: at most %d in one second of the simulator (rate %d), over %d seconds", most, rate, seconds)
	// Every send was paced by the store: each relay uses it (up), and none
	// was paced locally (with the store up, the only other path).
	for i, u := range c.relayMetrics {
		m := metrics(t, u)
		if _, ok := m["whatsapp_shared_store_up"]; !ok || value(m, "whatsapp_shared_store_up", nil) != 1 {
			t.Errorf("relay %d does not show the shared store up (whatsapp_shared_store_up): it paces without it", i)
		}
		if f := value(m, "whatsapp_shared_store_fallbacks_total", map[string]string{"path": sharedstore.PathRelay}); f != 0 {
			t.Errorf("relay %d paced %v sends locally with Redis up", i, f)
		}
	}
	// Paced at the full rate, not at a half per replica: the burst spans
	// about 1,000 / 80 seconds, not twice as many.
	if limit := 2 * workers * each / rate; seconds > limit {
		t.Errorf("the burst spread over %d seconds, more than %d: the replicas did not use the number's whole rate", seconds, limit)
	}
}

// send posts a text to recipient to through the relay at base, as a
// chatbot does (Meta's send API, no token), and returns the wamid
// answered.
func send(client *http.Client, base, to, text string) (string, error) {
	body, _ := json.Marshal(map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "text", "text": map[string]any{"body": text}})
	resp, err := client.Post(base+"/"+e2e.GraphAPIVersion+"/"+e2e.PhoneNumberID+"/messages", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	var answer struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &answer) != nil || len(answer.Messages) != 1 || !strings.HasPrefix(answer.Messages[0].ID, "wamid.") {
		return "", fmt.Errorf("answered %d %s", resp.StatusCode, raw)
	}
	return answer.Messages[0].ID, nil
}
