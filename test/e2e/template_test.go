package e2e

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// Meta decides a template review whenever it likes; the user should see it
// on the MessageTemplate within seconds, not at the next poll. With a
// 10-minute syncInterval and the default 30-second pending poll, only
// Meta's message_template_status_update webhook (delivered by the
// simulator to the app's callback, the webhook server) can explain that.
func TestTemplateApprovalArrivesThroughMetasWebhook(t *testing.T) {
	t.Parallel()
	s := newStack(t, Options{}) // manual review: PENDING until the test decides
	s.readyProvider(func(p *whatsappv1alpha1.MetaProvider) {
		p.Spec.SyncInterval = &metav1.Duration{Duration: 10 * time.Minute}
	})
	mt := &whatsappv1alpha1.MessageTemplate{
		ObjectMeta: metav1.ObjectMeta{Name: "order-update"},
		Spec: whatsappv1alpha1.MessageTemplateSpec{
			ProviderRef: whatsappv1alpha1.ProviderReference{Name: provider},
			Language:    "en_US",
			Category:    whatsappv1alpha1.CategoryUtility,
			Body: whatsappv1alpha1.TemplateBody{
				Text:     "Hi {{1}}, your order {{2}} has shipped.",
				Examples: []string{"John", "#4521"},
			},
		},
	}
	s.create(mt)
	s.must(s.WaitCondition(s.ctx, mt, whatsappv1alpha1.ConditionReconciling, metav1.ConditionTrue, whatsappv1alpha1.ReasonPending, settle))
	if mt.Status.TemplateID == "" || mt.Status.ApprovalStatus != graphsim.StatusPending {
		t.Fatalf("a template in review shows %+v, want Meta's id and PENDING", mt.Status)
	}
	listingsBefore := templateReads(s.Sim)

	decided := time.Now()
	s.must(s.Sim.SetTemplateStatus(mt.Status.TemplateID, graphsim.StatusApproved, ""))
	const promptly = 10 * time.Second
	s.must(s.WaitCondition(s.ctx, mt, whatsappv1alpha1.ConditionReady, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded, promptly))
	took := time.Since(decided)
	if mt.Status.ApprovalStatus != graphsim.StatusApproved {
		t.Errorf("Ready template shows approval status %q, want APPROVED", mt.Status.ApprovalStatus)
	}

	var delivered []graphsim.Delivery
	for _, d := range s.Sim.Deliveries() {
		if d.Field == "message_template_status_update" {
			delivered = append(delivered, d)
		}
	}
	if len(delivered) != 1 || delivered[0].StatusCode != 200 || delivered[0].URL != s.WebhookURL {
		t.Errorf("status webhooks Meta delivered: %+v, want one to %s answered 200", delivered, s.WebhookURL)
	}
	// The webhook makes the controller look once: one fresh listing, maybe
	// two if a reconcile was already under way, never a polling loop.
	if n := templateReads(s.Sim) - listingsBefore; n < 1 || n > 2 {
		t.Errorf("template reads at Meta after the decision: %d, want 1 or 2", n)
	}
	t.Logf("APPROVED on the MessageTemplate %s after Meta's decision; %d template reads in all", took.Round(time.Millisecond), templateReads(s.Sim))
}

// templateReads counts the simulator's template listings and single reads.
func templateReads(sim *graphsim.Server) int {
	return sim.Calls(graphsim.EndpointListTemplates) + sim.Calls(graphsim.EndpointGetTemplate)
}
