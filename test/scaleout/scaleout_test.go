package scaleout

import (
	"testing"

	"github.com/kubechat/whatsapp-operator/internal/redistest"
	"github.com/kubechat/whatsapp-operator/internal/retryload"
	"github.com/kubechat/whatsapp-operator/test/e2e"
)

// TestTwoReplicasOfEach (issue 10 "Done when"): one provider with
// spec.sharedState.redis and two replicas of its webhook server and of
// its relay, run as processes. The scenarios run one after the other on
// the same processes, so that neither's load skews the other's counts.
func TestTwoReplicasOfEach(t *testing.T) {
	srv := redistest.Shared(t)
	c := startCluster(t, srv.Addr())
	botA, botB := retryload.NewBots(t)
	c.readyChannel(t, "support-a", e2e.PhoneNumber, e2e.PhoneNumberID, botA.URL())
	c.readyChannel(t, "support-b", phoneNumberB, phoneNumberIDB, botB.URL())
	waitMetric(t, c.hookMetrics, "whatsapp_webhook_routes", 2)
	waitMetric(t, c.relayMetrics, "whatsapp_relay_senders", 2)

	t.Run("webhook servers deliver every message exactly once", func(t *testing.T) {
		webhookExactlyOnce(t, c, botA, botB)
	})
	t.Run("relays share one send budget", func(t *testing.T) {
		relaysShareOneBudget(t, c)
	})
}
