package controllers_test

import (
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// TestSteadyStateCostPerSyncInterval measures what a Ready provider with 60
// templates and 3 channels costs at Meta per syncInterval, on the real
// clock: syncInterval is 1m (the smallest the schema allows) and the test
// watches two and a half intervals. The bound is the issue's: a handful of
// calls per WABA per interval, independent of the number of templates and
// channels, plus one profile read per channel that manages a profile.
func TestSteadyStateCostPerSyncInterval(t *testing.T) {
	t.Parallel()
	const templates, channels = 60, 3
	f := newFixture(t, fixtureOptions{review: graphsim.Review{Status: "APPROVED"}, reviewDelay: 100 * time.Millisecond})
	for i := 1; i < channels; i++ {
		if _, err := f.sim.AddPhoneNumber(wabaID, graphsim.PhoneNumber{ID: fmt.Sprintf("1303000000000%02d", i), DisplayPhoneNumber: fmt.Sprintf("+1 202-555-010%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	f.readyProvider("acme", func(p *whatsappv1alpha1.MetaProvider) {
		p.Spec.SyncInterval = &metav1.Duration{Duration: time.Minute}
	})
	var objs []conditioned
	for i := range channels {
		number := phoneE164
		if i > 0 {
			number = fmt.Sprintf("+120255501%02d", i)
		}
		objs = append(objs, f.channel(fmt.Sprintf("ch-%d", i), number, func(c *whatsappv1alpha1.WhatsAppChannel) {
			c.Spec.Profile = &whatsappv1alpha1.BusinessProfile{About: fmt.Sprintf("Line %d", i)}
		}))
	}
	for i := range templates {
		objs = append(objs, f.template(fmt.Sprintf("bulk-%02d", i)))
	}
	for _, o := range objs {
		f.waitCondition(o, "Ready", metav1.ConditionTrue, "")
	}

	f.sim.ResetCalls()
	const window = 150 * time.Second
	time.Sleep(window)
	intervals := window.Minutes() // 2.5
	counts := f.sim.CallCounts()
	total := f.sim.TotalCalls()
	perInterval := float64(total) / intervals
	t.Logf("steady state over %s (%.1f intervals), %d templates, %d channels: %d calls (%.1f per interval): %v",
		window, intervals, templates, channels, total, perInterval, counts)

	// Per interval: provider GET WABA + debug_token + subscribed_apps +
	// shared phone listing, one template listing (a page of 100), one
	// profile read per channel. Jitter can put a third round into 2.5
	// intervals, so allow 3 rounds.
	perRound := 4 + 1 + channels
	if limit := 3 * perRound; total > limit {
		t.Errorf("steady state cost %d calls in %s, want at most %d (%d per round)", total, window, limit, perRound)
	}
	if n := counts[graphsim.EndpointListTemplates]; n > 3 {
		t.Errorf("template listings = %d in %.1f intervals for %d templates, want at most 3", n, intervals, templates)
	}
	if n := counts[graphsim.EndpointGetBusinessProfile]; n > 3*channels {
		t.Errorf("profile reads = %d, want at most %d", n, 3*channels)
	}
	for _, ep := range []string{graphsim.EndpointCreateTemplate, graphsim.EndpointEditTemplate, graphsim.EndpointUpdateBusinessProfile, graphsim.EndpointSubscribeApp} {
		if counts[ep] != 0 {
			t.Errorf("%s called %d times in steady state", ep, counts[ep])
		}
	}
	for _, o := range objs {
		f.get(o.(client.Object))
		if c := condition(o, "Ready"); c == nil || c.Status != metav1.ConditionTrue {
			t.Errorf("%s left Ready: %+v", o.GetName(), c)
		}
	}
}
