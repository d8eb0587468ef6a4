package controllers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

func TestConvergesUnderInjectedFaults(t *testing.T) {
	t.Parallel()
	const templates = 10
	f := newFixture(t, fixtureOptions{review: graphsim.Review{Status: "APPROVED"}, reviewDelay: 200 * time.Millisecond})
	// 30% of every Graph call fails: Meta's 5xx errors, a proxy's 502 pages
	// and dropped connections. (Rate limits are honoured for minutes, as
	// Meta asks; TestRateLimitIsHonouredNotHammered covers them.)
	f.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultServerError, Rate: 0.15})
	f.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultBadGateway, Rate: 0.1})
	f.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultDisconnect, Rate: 0.05})

	f.secret("acme-meta")
	p := f.provider("acme")
	f.markWebhookReady("acme")
	objs := []conditioned{p, f.channel("support-us", phoneE164, func(c *whatsappv1alpha1.WhatsAppChannel) {
		c.Spec.Profile = &whatsappv1alpha1.BusinessProfile{About: "We answer within minutes"}
	})}
	for i := range templates {
		objs = append(objs, f.template(fmt.Sprintf("faulty-%02d", i)))
	}
	deadline := time.Now().Add(3 * time.Minute)
	for _, o := range objs {
		for {
			f.get(o)
			if c := condition(o, "Ready"); c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == o.GetGeneration() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s did not converge under faults: %s", o.GetName(), describeConditions(o.GetConditions()))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	total := f.sim.TotalCalls()
	t.Logf("converged with %d Graph calls under a 30%% fault rate: %v", total, f.sim.CallCounts())
	// Without faults this takes about 3 provider calls, 2 channel calls and
	// 2-3 per template. Retries multiply that by a small factor, never by a
	// hot loop's hundreds.
	if limit := 150; total > limit {
		t.Errorf("%d Graph calls to converge, want at most %d", total, limit)
	}
	if n := len(f.sim.Templates(wabaID)); n != templates {
		t.Errorf("templates at Meta = %d, want %d (retries must not duplicate creates)", n, templates)
	}
}

func TestRateLimitIsHonouredNotHammered(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.sim.InjectFault(graphsim.Fault{Endpoint: graphsim.EndpointGetBusinessAccount, Kind: graphsim.FaultRateLimit, Code: 80007, RegainMinutes: 2})
	f.secret("acme-meta")
	p := f.provider("acme")
	f.markWebhookReady("acme")
	f.waitCondition(p, "Reconciling", metav1.ConditionTrue, "RateLimited")
	// The first answer carries Meta's code; a reconcile in the meantime is
	// refused by the client's own block on the WABA. Either way the message
	// says it is a rate limit and how long to wait.
	msg := condition(p, "Ready").Message
	if !strings.Contains(msg, "rate limit") || !strings.Contains(msg, "2m") {
		t.Errorf("message does not say rate limit and Meta's wait: %s", msg)
	}
	if !strings.Contains(msg, "80007") {
		f.waitEvent("acme", "RateLimited") // the transition's Event kept Meta's answer
		found := false
		for _, e := range f.events("acme") {
			found = found || (e.Reason == "RateLimited" && strings.Contains(e.Note, "80007"))
		}
		if !found {
			t.Errorf("neither the condition nor an Event carries Meta's code 80007")
		}
	}
	if c := condition(p, "CredentialsValid"); c != nil && c.Status == metav1.ConditionFalse {
		t.Errorf("a rate limit flipped CredentialsValid to False: %+v", c)
	}
	calls := f.sim.Calls(graphsim.EndpointGetBusinessAccount)
	time.Sleep(5 * time.Second)
	if n := f.sim.Calls(graphsim.EndpointGetBusinessAccount); n != calls {
		t.Errorf("called the rate-limited WABA again within seconds (%d → %d); Meta asked for 2 minutes", calls, n)
	}
}

func TestSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.readyProvider("acme")
	ch := f.channel("support-us", phoneE164)
	mt := f.template("order-update")
	f.waitCondition(ch, "Ready", metav1.ConditionTrue, "")
	f.waitCondition(mt, "Reconciling", metav1.ConditionTrue, "Pending")

	// Failure paths print the most: a revoked token (190), Meta errors on
	// every endpoint, and a token rotation.
	p := &whatsappv1alpha1.MetaProvider{ObjectMeta: metav1.ObjectMeta{Name: "acme", Namespace: f.ns}}
	f.sim.InjectFault(graphsim.Fault{Endpoint: graphsim.EndpointListTemplates, Kind: graphsim.FaultError, Status: 400, Code: 100, Message: "Invalid parameter", Times: 3})
	f.requestReconcile(mt)
	if err := f.sim.RevokeToken(f.token); err != nil {
		t.Fatal(err)
	}
	f.requestReconcile(p)
	f.waitCondition(p, "Stalled", metav1.ConditionTrue, "InvalidCredentials")
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "acme-meta", Namespace: f.ns}}
	f.get(s)
	patch := client.MergeFrom(s.DeepCopy())
	s.Data["accessToken"] = []byte("EAAG-wrong-" + f.token)
	if err := f.c.Patch(context.Background(), s, patch); err != nil {
		t.Fatal(err)
	}
	f.waitCondition(p, "Stalled", metav1.ConditionTrue, "InvalidCredentials")

	secrets := []string{f.token, appSecret, f.verify}
	var places []string
	for _, o := range []client.Object{p, ch, mt} {
		f.get(o)
		raw, _ := json.Marshal(o)
		places = append(places, fmt.Sprintf("%s %s: %s", o.GetObjectKind().GroupVersionKind().Kind, o.GetName(), raw))
	}
	for _, name := range []string{"acme", "support-us", "order-update"} {
		for _, e := range f.events(name) {
			places = append(places, "event "+e.Reason+": "+e.Note)
		}
	}
	places = append(places, "operator log: "+f.logs.String())
	if !strings.Contains(f.logs.String(), "Reconciler error") && !strings.Contains(f.logs.String(), "graph") {
		t.Fatalf("the captured log is empty; the test would prove nothing:\n%s", f.logs.String())
	}
	for _, place := range places {
		for _, secret := range secrets {
			if strings.Contains(place, secret) {
				t.Errorf("a credential appears in %.120s…", place)
			}
		}
	}
}
