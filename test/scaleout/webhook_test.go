package scaleout

import (
	"testing"

	"github.com/kubechat/whatsapp-operator/internal/retryload"
	"github.com/kubechat/whatsapp-operator/internal/sharedstore"
	"github.com/kubechat/whatsapp-operator/test/e2e"
	"github.com/kubechat/whatsapp-operator/webhookserver"
)

// webhookExactlyOnce: Meta sends retryload's 5,000 signed messages to the
// two webhook server processes through a round-robin proxy (a Service);
// chatbot B refuses its part of every fifth batch once, so Meta retries
// that batch at the other replica with A's part delivered; every seventh
// batch is sent twice at once. Every message id reaches its chatbot
// exactly once, no 200 is answered before every message of its batch was
// delivered, and the replicas found the retries' items done in the store
// and never fell back.
func webhookExactlyOnce(t *testing.T, c *cluster, botA, botB *retryload.Bot) {
	load := retryload.New(t, retryload.RoundRobin(t, c.hooks...)+webhookserver.PathWebhook, e2e.AppSecret, e2e.WABAID,
		retryload.Number{PhoneNumberID: e2e.PhoneNumberID, Display: "12025550123"},
		retryload.Number{PhoneNumberID: phoneNumberIDB, Display: "12025550124"},
		botA, botB)
	load.Run(t, nil)

	once, twice, missing := load.Counts()
	if missing != 0 || twice != 0 || once != retryload.Messages {
		t.Errorf("messages delivered once: %d, more than once: %d, never: %d; want all %d exactly once", once, twice, missing, retryload.Messages)
	}
	if n := load.Early(); n != 0 {
		t.Errorf("%d batches were acknowledged before all their messages reached the chatbots", n)
	}
	// The retries and duplicates did happen, and were held or found done.
	if refused := botB.Refused(); refused != retryload.Batches/retryload.FailEvery {
		t.Errorf("chatbot B refused %d batches once, want %d: the retry path was not exercised", refused, retryload.Batches/retryload.FailEvery)
	}
	done, held := 0.0, 0.0
	for i, u := range c.hookMetrics {
		m := metrics(t, u)
		done += value(m, "whatsapp_shared_store_claims_total", map[string]string{"result": "done"})
		held += value(m, "whatsapp_shared_store_claims_total", map[string]string{"result": "held"})
		if f := value(m, "whatsapp_shared_store_fallbacks_total", map[string]string{"path": sharedstore.PathInbound}); f != 0 {
			t.Errorf("webhook server %d fell back %v times with Redis up", i, f)
		}
	}
	if done == 0 {
		t.Error("no retry found its items delivered in the store: the retries did not reach it")
	}
	t.Logf("claims found done %v, held by another request %v", done, held)
}
