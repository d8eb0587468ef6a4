package webhookserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

func TestNotificationForwardsToURL(t *testing.T) {
	bot := newChatbot(t)
	ts := newTestServer(t, []whatsappv1alpha1.WhatsAppChannel{newChannel("us", "+12025550101", "101", urlBot(bot.srv.URL+"/hook"))})
	value := textMessage("101", "12025550101", "wamid.ONE", "Does it come in blue? <b>&</b> caf\\u00e9")
	body := envelopeOf(value)
	if code := postSigned(t, ts.url, body); code != http.StatusOK {
		t.Fatalf("POST: got %d, want 200", code)
	}
	reqs := bot.requests()
	if len(reqs) != 1 {
		t.Fatalf("chatbot got %d requests, want 1", len(reqs))
	}
	got := reqs[0]
	wantHeaders := map[string]string{
		HeaderChannel:       "support/us",
		HeaderProvider:      "support/acme",
		HeaderPhoneNumberID: "101",
		"Content-Type":      "application/json",
		headerSignature:     signatureHeader([]byte(testForwardingKey), got.body),
	}
	gotHeaders := map[string]string{}
	for k := range wantHeaders {
		gotHeaders[k] = got.header.Get(k)
	}
	if diff := cmp.Diff(wantHeaders, gotHeaders); diff != "" {
		t.Errorf("the chatbot learns channel, provider and number from headers, and can verify the body with the forwarding key: -want, +got:\n%s", diff)
	}
	if got.header.Get(headerSignature) == signatureHeader([]byte(testAppSecret), got.body) {
		t.Error("the forwarded body must not be signed with the Meta app secret: a chatbot would need it to verify")
	}
	if !bytes.Contains(got.body, []byte(value)) {
		t.Errorf("the value must reach the chatbot byte for byte (escapes, wa_id, user_id); got %s", got.body)
	}
}

func TestNotificationRefused(t *testing.T) {
	valid := envelopeOf(textMessage("101", "12025550101", "wamid.R", "hi"))
	cases := map[string]struct {
		reason    string
		body      []byte
		signature func(body []byte) string
		want      int
	}{
		"MissingSignature": {
			reason: "no signature: 401, nothing forwarded",
			body:   valid, signature: func([]byte) string { return "" },
			want: http.StatusUnauthorized,
		},
		"TamperedBody": {
			reason:    "signature of another body: 403, nothing forwarded",
			body:      bytes.Replace(valid, []byte(`"hi"`), []byte(`"HI"`), 1),
			signature: func([]byte) string { return signatureHeader([]byte(testAppSecret), valid) },
			want:      http.StatusForbidden,
		},
		"WrongSecret": {
			reason: "signed with another secret: 403",
			body:   valid, signature: func(b []byte) string { return signatureHeader([]byte("not-the-secret"), b) },
			want: http.StatusForbidden,
		},
		"MalformedHeader": {
			reason: "a header that is not sha256=<hex>: 403",
			body:   valid, signature: func([]byte) string { return "sha256=xyz" },
			want: http.StatusForbidden,
		},
		"GarbageSigned": {
			reason: "a correctly signed body that is not JSON: 400 (see DECISIONS-draft.md)",
			body:   []byte("{not json"), signature: func(b []byte) string { return signatureHeader([]byte(testAppSecret), b) },
			want: http.StatusBadRequest,
		},
		"TooLarge": {
			reason: "a body over the cap: 413 before any HMAC",
			body:   bytes.Repeat([]byte(" "), 4<<20+1), signature: func(b []byte) string { return signatureHeader([]byte(testAppSecret), b) },
			want: http.StatusRequestEntityTooLarge,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			bot := newChatbot(t)
			ts := newTestServer(t, []whatsappv1alpha1.WhatsAppChannel{newChannel("us", "+12025550101", "101", urlBot(bot.srv.URL))})
			resp := post(t, ts.url, tc.body, tc.signature(tc.body))
			if resp.StatusCode != tc.want {
				t.Errorf("%s\nPOST: got %d, want %d", tc.reason, resp.StatusCode, tc.want)
			}
			if n := len(bot.requests()); n != 0 {
				t.Errorf("%s\nchatbot got %d requests, want none", tc.reason, n)
			}
		})
	}
}

func TestNotificationPartialFailureRetry(t *testing.T) {
	good, flaky := newChatbot(t), newChatbot(t)
	ts := newTestServer(t, []whatsappv1alpha1.WhatsAppChannel{
		newChannel("good", "+12025550101", "101", urlBot(good.srv.URL)),
		newChannel("flaky", "+12025550102", "102", urlBot(flaky.srv.URL)),
	})
	body := envelopeOf(textMessage("101", "12025550101", "wamid.G1", "to good"), textMessage("102", "12025550102", "wamid.F1", "to flaky"))
	flaky.status.Store(http.StatusInternalServerError)

	if code := postSigned(t, ts.url, body); code != http.StatusServiceUnavailable {
		t.Fatalf("one chatbot failed: got %d, want 503 so that Meta retries", code)
	}
	flaky.status.Store(http.StatusOK)
	if code := postSigned(t, ts.url, body); code != http.StatusOK {
		t.Fatalf("Meta's retry once the chatbot recovered: got %d, want 200", code)
	}
	if code := postSigned(t, ts.url, body); code != http.StatusOK {
		t.Fatalf("a duplicate retry: got %d, want 200", code)
	}
	got := map[string][]string{"good": good.messageIDs(t), "flaky": flaky.messageIDs(t)}
	want := map[string][]string{
		"good":  {"wamid.G1"},             // once: the retries did not repeat it
		"flaky": {"wamid.F1", "wamid.F1"}, // the failed attempt, then the retry; the third POST added nothing
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("each chatbot gets its part; a retry delivers only what failed: -want, +got:\n%s", diff)
	}
	for name, bot := range map[string]*chatbot{"good": good, "flaky": flaky} {
		for _, r := range bot.requests() {
			if bytes.Contains(r.body, []byte(`"10`+map[string]string{"good": "2", "flaky": "1"}[name]+`"`)) {
				t.Errorf("chatbot %s received another number's change: %s", name, r.body)
			}
		}
	}
	if hits := counter(t, ts.registry, "whatsapp_webhook_dedupe_hits_total", nil); hits != 3 {
		t.Errorf("dedupe hits = %v, want 3 (G1 on the 2nd POST, G1 and F1 on the 3rd)", hits)
	}
}

func TestNotificationRoutingDecisions(t *testing.T) {
	bot := newChatbot(t)
	channels := []whatsappv1alpha1.WhatsAppChannel{
		newChannel("us", "+12025550101", "101", urlBot(bot.srv.URL)),
		newChannel("fresh", "+12025550103", "", urlBot(bot.srv.URL)), // not verified yet
		newChannel("nobot", "+12025550104", "104", whatsappv1alpha1.ChatbotTarget{ServiceRef: &whatsappv1alpha1.ServiceReference{Name: "gone", Port: intstr.FromInt32(80)}}),
	}
	template := `{"object":"whatsapp_business_account","entry":[{"id":"%s","time":1751247548,"changes":[{"value":{"event":"APPROVED","message_template_id":1689556908129832,"message_template_name":"x","message_template_language":"en_US","reason":"NONE"},"field":"message_template_status_update"}]}]}`
	quality := `{"object":"whatsapp_business_account","entry":[{"id":"` + testWABA + `","changes":[{"value":{"display_phone_number":"1 202 555 0101","event":"UPGRADE","current_limit":"TIER_10K"},"field":"phone_number_quality_update"}]}]}`
	account := `{"object":"whatsapp_business_account","entry":[{"id":"` + testWABA + `","changes":[{"value":{"event":"ACCOUNT_DELETED"},"field":"account_update"}]}]}`
	type want struct {
		code      int
		delivered int
		templates []string
		channels  []types.NamespacedName
	}
	cases := map[string]struct {
		reason  string
		body    string
		claimed map[string]bool // live check answers
		want    want
	}{
		"UnknownNumber": {
			reason: "a number no channel claims, confirmed by the API server, is acknowledged so Meta stops retrying",
			body:   string(envelopeOf(textMessage("999", "12025550999", "wamid.U", "x"))),
			want:   want{code: http.StatusOK},
		},
		"UnknownInCacheOnly": {
			reason:  "a number the cache does not know but the API server does: the cache lags, retry",
			body:    string(envelopeOf(textMessage("998", "12025550998", "wamid.V", "x"))),
			claimed: map[string]bool{"998": true},
			want:    want{code: http.StatusServiceUnavailable},
		},
		"PendingChannel": {
			reason: "a channel claims the number but has no phoneNumberID yet: retry",
			body:   string(envelopeOf(textMessage("103", "12025550103", "wamid.P", "x"))),
			want:   want{code: http.StatusServiceUnavailable},
		},
		"NoEndpoints": {
			reason: "a channel whose chatbot Service cannot be resolved: retry",
			body:   string(envelopeOf(textMessage("104", "12025550104", "wamid.N", "x"))),
			want:   want{code: http.StatusServiceUnavailable},
		},
		"MixedWithUnknown": {
			reason: "a routable number and an unknown one: deliver the first, drop the second, 200",
			body:   string(envelopeOf(textMessage("101", "12025550101", "wamid.M", "x"), textMessage("999", "1", "wamid.U2", "x"))),
			want:   want{code: http.StatusOK, delivered: 1},
		},
		"TemplateEvent": {
			reason: "a template event of our WABA requests a reconcile of that template id",
			body:   strings.Replace(template, "%s", testWABA, 1),
			want:   want{code: http.StatusOK, templates: []string{"1689556908129832"}},
		},
		"TemplateOtherWABA": {
			reason: "a template event of another WABA is acknowledged, nothing nudged",
			body:   strings.Replace(template, "%s", "1", 1),
			want:   want{code: http.StatusOK},
		},
		"QualityEvent": {
			reason: "a phone number quality event nudges the channel with that display number",
			body:   quality,
			want:   want{code: http.StatusOK, channels: []types.NamespacedName{{Namespace: testNamespace, Name: "us"}}},
		},
		"AccountUpdate": {
			reason: "account_update is acknowledged and counted",
			body:   account,
			want:   want{code: http.StatusOK},
		},
		"OtherObject": {
			reason: "another product's webhook is acknowledged",
			body:   `{"object":"instagram","entry":[]}`,
			want:   want{code: http.StatusOK},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			before := len(bot.requests())
			ts := newTestServer(t, channels)
			for k, v := range tc.claimed {
				ts.confirmer.claimed[k] = v
			}
			code := postSigned(t, ts.url, []byte(tc.body))
			ts.waitNudges(t) // reconcile requests are written in the background
			templates, channels := ts.requester.requested()
			got := want{code: code, delivered: len(bot.requests()) - before, templates: templates, channels: channels}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestNotificationToServiceEndpoints(t *testing.T) {
	a, b := newChatbot(t), newChatbot(t)
	ref := &whatsappv1alpha1.ServiceReference{Name: "bot", Port: intstr.FromString("http")}
	ts := newTestServer(t, []whatsappv1alpha1.WhatsAppChannel{
		newChannel("us", "+12025550101", "101", whatsappv1alpha1.ChatbotTarget{ServiceRef: ref, Path: "whatsapp"}),
	}, func(o *Options) {
		o.DialContext = loopbackDialer(map[string]string{
			"192.0.2.10:8080": hostPort(a.srv.URL),
			"192.0.2.11:8080": "127.0.0.1:1", // refuses connections
			"192.0.2.12:8080": hostPort(b.srv.URL),
		})
	})
	ts.resolver.targets["bot"] = serviceTarget{addrs: []string{"192.0.2.11:8080", "192.0.2.12:8080", "192.0.2.10:8080"}, host: "bot.support.svc"}
	if code := postSigned(t, ts.url, envelopeOf(textMessage("101", "1", "wamid.S1", "x"))); code != http.StatusOK {
		t.Fatalf("POST: got %d, want 200", code)
	}
	if n := len(b.requests()); n != 1 {
		t.Fatalf("a failed connect moves on to the next endpoint: endpoint b got %d requests, want 1", n)
	}
	r := b.requests()[0]
	if diff := cmp.Diff([]string{"bot.support.svc", "/whatsapp", "support/us"}, []string{r.host, r.path, r.header.Get(HeaderChannel)}); diff != "" {
		t.Errorf("an endpoint gets the Service's Host, the channel's path and the channel header: -want, +got:\n%s", diff)
	}
	if retries := counter(t, ts.registry, "whatsapp_webhook_forward_retries_total", nil); retries != 1 {
		t.Errorf("forward retries = %v, want 1", retries)
	}
}

func TestNotificationBatchTimeout(t *testing.T) {
	slow := newChatbot(t)
	slow.delay.Store(int64(time.Second))
	ts := newTestServer(t, []whatsappv1alpha1.WhatsAppChannel{newChannel("us", "+12025550101", "101", urlBot(slow.srv.URL))},
		func(o *Options) { o.BatchTimeout = 200 * time.Millisecond })
	if code := postSigned(t, ts.url, envelopeOf(textMessage("101", "1", "wamid.T", "x"))); code != http.StatusServiceUnavailable {
		t.Errorf("a chatbot slower than the batch timeout: got %d, want 503", code)
	}
	if n := counter(t, ts.registry, "whatsapp_webhook_forward_failures_total", map[string]string{"reason": "timeout"}); n != 1 {
		t.Errorf("timeouts counted: %v, want 1", n)
	}
}

func TestNotificationNotReady(t *testing.T) {
	bot := newChatbot(t)
	ts := newTestServer(t, []whatsappv1alpha1.WhatsAppChannel{newChannel("us", "+12025550101", "101", urlBot(bot.srv.URL))})
	ts.table.Store(nil) // caches not synced
	if code := postSigned(t, ts.url, envelopeOf(textMessage("101", "1", "wamid.NR", "x"))); code != http.StatusServiceUnavailable {
		t.Errorf("before the caches synced: got %d, want 503", code)
	}
	resp, err := http.Get(ts.url + PathReadyz)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz before sync: got %d, want 503", resp.StatusCode)
	}
}

// stalledPost opens a POST to /webhook that sends its headers, with a
// well-formed signature that no secret produces (a header without one is
// refused before the body is read), and part of its body, then nothing:
// the server sits reading the body.
func stalledPost(t *testing.T, baseURL string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(baseURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	fake := signatureHeader([]byte("not-the-app-secret"), nil)
	if _, err := fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: webhook\r\nContent-Type: application/json\r\n%s: %s\r\nContent-Length: 1000000\r\n\r\n{\"object\":", PathWebhook, headerSignature, fake); err != nil {
		t.Fatal(err)
	}
	return conn
}

func TestNotificationBoundsConcurrentBodyReads(t *testing.T) {
	bot := newChatbot(t)
	ts := newTestServer(t, []whatsappv1alpha1.WhatsAppChannel{newChannel("us", "+12025550101", "101", urlBot(bot.srv.URL))},
		func(o *Options) { o.MaxConcurrentBodyReads = 2 })
	stalled := []net.Conn{stalledPost(t, ts.url), stalledPost(t, ts.url)}
	n := 0
	send := func() int {
		n++
		return postSigned(t, ts.url, envelopeOf(textMessage("101", "1", fmt.Sprintf("wamid.B%d", n), "x")))
	}
	deadline := time.Now().Add(5 * time.Second)
	for code := send(); code != http.StatusServiceUnavailable; code = send() {
		if time.Now().After(deadline) {
			t.Fatalf("two unsigned bodies being read fill the limit of 2: a third POST got %d, want 503 at once", code)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := counter(t, ts.registry, "whatsapp_webhook_requests_total", map[string]string{"outcome": "busy"}); got < 1 {
		t.Errorf("refusals for lack of a body slot are counted as busy: %v", got)
	}
	if !strings.Contains(ts.logs.String(), "too many bodies being read at once") {
		t.Error("the refusal is logged")
	}
	for _, c := range stalled {
		_ = c.Close()
	}
	deadline = time.Now().Add(5 * time.Second)
	for code := send(); code != http.StatusOK; code = send() {
		if time.Now().After(deadline) {
			t.Fatalf("once the stalled reads ended, their slots are free again: got %d, want 200", code)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDefaultConcurrentBodyReads(t *testing.T) {
	cases := map[string]struct {
		reason   string
		memLimit int64
		maxBody  int64
		want     int
	}{
		"ManagedPod":  {reason: "GOMEMLIMIT 230Mi (90% of 256Mi): a quarter is 57Mi, 14 bodies of 4 MiB", memLimit: 230 << 20, maxBody: 4 << 20, want: 14},
		"NoLimit":     {reason: "without GOMEMLIMIT, a quarter of the managed pod's 256Mi", memLimit: math.MaxInt64, maxBody: 4 << 20, want: 16},
		"SmallLimit":  {reason: "never fewer than a few", memLimit: 16 << 20, maxBody: 4 << 20, want: MinConcurrentBodyReads},
		"SmallBodies": {reason: "smaller bodies, more of them", memLimit: math.MaxInt64, maxBody: 1 << 20, want: 64},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := defaultConcurrentBodyReads(tc.memLimit, tc.maxBody); got != tc.want {
				t.Errorf("%s\ngot %d, want %d", tc.reason, got, tc.want)
			}
		})
	}
}

// templateEvent is a signed-able template status webhook of the test WABA.
func templateEvent(id string) []byte {
	return []byte(`{"object":"whatsapp_business_account","entry":[{"id":"` + testWABA + `","time":1751247548,"changes":[{"value":{"event":"APPROVED","message_template_id":` + id +
		`,"message_template_name":"x","message_template_language":"en_US","reason":"NONE"},"field":"message_template_status_update"}]}]}`)
}

func TestNotificationDoesNotWaitForReconcileRequests(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.requester.gate = make(chan struct{}) // the API server is slow
	start := time.Now()
	if code := postSigned(t, ts.url, templateEvent("1689556908129832")); code != http.StatusOK {
		t.Fatalf("template event: got %d, want 200", code)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("Meta's answer waited %s for a reconcile request that cannot change it", took.Round(time.Millisecond))
	}
	close(ts.requester.gate)
	ts.waitNudges(t)
	if templates, _ := ts.requester.requested(); !cmp.Equal(templates, []string{"1689556908129832"}) {
		t.Errorf("the reconcile request is still written, in the background: got %v", templates)
	}
	if n := counter(t, ts.registry, "whatsapp_webhook_reconcile_requests_total", map[string]string{"kind": "MessageTemplate", "result": "ok"}); n != 1 {
		t.Errorf("reconcile requests counted: %v, want 1", n)
	}
}

func TestNotificationReconcileQueueIsBounded(t *testing.T) {
	ts := newTestServer(t, nil, func(o *Options) { o.ReconcileRequestQueueSize = 1 })
	ts.requester.gate = make(chan struct{})
	const events = 10
	for i := range events {
		if code := postSigned(t, ts.url, templateEvent(fmt.Sprint(1000+i))); code != http.StatusOK {
			t.Fatalf("template event %d: got %d, want 200 whatever the queue", i, code)
		}
	}
	dropped := counter(t, ts.registry, "whatsapp_webhook_reconcile_requests_total", map[string]string{"kind": "MessageTemplate", "result": "dropped"})
	if most := float64(nudgeWorkers + 1); dropped < events-most {
		t.Errorf("with %d workers stuck and room for 1 more, at least %v of %d requests are dropped; got %v", nudgeWorkers, events-most, events, dropped)
	}
	close(ts.requester.gate)
	ts.waitNudges(t)
	written, _ := ts.requester.requested()
	if got := float64(len(written)) + dropped; got != events {
		t.Errorf("every request is written or counted as dropped: %d written + %v dropped, want %d", len(written), dropped, events)
	}
	if !strings.Contains(ts.logs.String(), "reconcile request queue full") {
		t.Error("dropping is logged")
	}
}

func TestNotificationQueuedReconcileRequestsMerge(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.requester.gate = make(chan struct{})
	// Occupy both workers, then send one id three times while it waits.
	for i := range nudgeWorkers {
		postSigned(t, ts.url, templateEvent(fmt.Sprint(2000+i)))
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(ts.nudges.queue) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the workers did not take the first requests")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for range 3 {
		postSigned(t, ts.url, templateEvent("3000"))
	}
	close(ts.requester.gate)
	ts.waitNudges(t)
	written, _ := ts.requester.requested()
	n := 0
	for _, id := range written {
		if id == "3000" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("one template id queued three times is written %d times, want once", n)
	}
}

func TestNudgerDrain(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.requester.gate = make(chan struct{})
	for i := range 4 {
		ts.nudges.enqueue(nudge{templateID: fmt.Sprint(4000 + i)})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	ts.nudges.drain(ctx)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("drain returned %s after its deadline", took)
	}
	if p := ts.nudges.pending.Load(); p != 0 {
		t.Errorf("after drain, %d requests are still pending", p)
	}
	failed := counter(t, ts.registry, "whatsapp_webhook_reconcile_requests_total", map[string]string{"kind": "MessageTemplate", "result": "error"}) +
		counter(t, ts.registry, "whatsapp_webhook_reconcile_requests_total", map[string]string{"kind": "MessageTemplate", "result": "dropped"})
	if failed != 4 {
		t.Errorf("requests cut off by the drain deadline are counted: %v, want 4", failed)
	}

	// With an API server that answers, drain writes what is queued.
	ts2 := newTestServer(t, nil)
	ts2.requester.gate = make(chan struct{})
	for i := range 4 {
		ts2.nudges.enqueue(nudge{templateID: fmt.Sprint(5000 + i)})
	}
	close(ts2.requester.gate)
	ts2.nudges.drain(context.Background())
	if written, _ := ts2.requester.requested(); len(written) != 4 {
		t.Errorf("drain writes the queued requests before returning: %d of 4", len(written))
	}
}

func TestNotificationRefusesExternalNameService(t *testing.T) {
	ref := &whatsappv1alpha1.ServiceReference{Name: "bot", Port: intstr.FromInt32(80)}
	var dialed atomic.Int32
	ts := newTestServer(t, []whatsappv1alpha1.WhatsAppChannel{
		newChannel("us", "+12025550101", "101", whatsappv1alpha1.ChatbotTarget{ServiceRef: ref, Path: "/"}),
	}, func(o *Options) {
		o.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			dialed.Add(1)
			return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("test: no dialing")}
		}
	})
	svc := testService(corev1.ServicePort{Name: "http", Port: 80})
	svc.Spec.Type, svc.Spec.ExternalName = corev1.ServiceTypeExternalName, "bot.example.com"
	ts.forwarder.resolver = &sliceResolver{reader: fake.NewClientBuilder().WithScheme(mustScheme(t)).WithObjects(svc).Build()}

	if code := postSigned(t, ts.url, envelopeOf(textMessage("101", "1", "wamid.X", "x"))); code != http.StatusServiceUnavailable {
		t.Errorf("a channel whose serviceRef is an ExternalName Service is not routable: got %d, want 503", code)
	}
	if n := dialed.Load(); n != 0 {
		t.Errorf("nothing is sent to the external name: %d dials", n)
	}
	if n := counter(t, ts.registry, "whatsapp_webhook_forward_failures_total", map[string]string{"reason": "external_name"}); n != 1 {
		t.Errorf("forward failures with reason external_name: %v, want 1", n)
	}
	if logs := ts.logs.String(); !strings.Contains(logs, "ExternalName Service") || !strings.Contains(logs, "spec.chatbot.url") {
		t.Errorf("the log says why and what to do instead:\n%s", logs)
	}
}

// logLevels counts, by level, the log lines whose msg is msg.
func logLevels(t *testing.T, logs, msg string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var rec struct{ Level, Msg string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, line)
		}
		if rec.Msg == msg {
			out[rec.Level]++
		}
	}
	return out
}

func TestNotificationNumberLogsAreRateLimited(t *testing.T) {
	bot := newChatbot(t)
	cases := map[string]struct {
		reason string
		body   func(i int) []byte
		msg    string
	}{
		"Pending": {
			reason: "Meta retries a number a channel claims but cannot route yet: one info line per number and period",
			body: func(i int) []byte {
				return envelopeOf(textMessage("103", "12025550103", fmt.Sprintf("wamid.P%d", i), "x"))
			},
			msg: "number not routable yet: Meta will retry",
		},
		"Unknown": {
			reason: "steady traffic for a number nobody claims: one info line per number and period",
			body: func(i int) []byte {
				return envelopeOf(textMessage("999", "12025550999", fmt.Sprintf("wamid.U%d", i), "x"))
			},
			msg: "no channel claims this number: acknowledged and dropped",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ts := newTestServer(t, []whatsappv1alpha1.WhatsAppChannel{newChannel("fresh", "+12025550103", "", urlBot(bot.srv.URL))})
			for i := range 3 {
				postSigned(t, ts.url, tc.body(i))
			}
			want := map[string]int{"INFO": 1, "DEBUG+3": 2} // logr V(1) through slog
			if diff := cmp.Diff(want, logLevels(t, ts.logs.String(), tc.msg)); diff != "" {
				t.Errorf("%s\nlines by level: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestNotificationUnknownNumberFieldLabel(t *testing.T) {
	ts := newTestServer(t, nil)
	call := `{"messaging_product":"whatsapp","metadata":{"display_phone_number":"12025550999","phone_number_id":"999"},"calls":[{"id":"wacid.1","event":"connect"}]}`
	body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"` + testWABA + `","changes":[` +
		`{"value":` + call + `,"field":"calls"},` +
		`{"value":` + textMessage("999", "12025550999", "wamid.F", "x") + `,"field":"messages"},` +
		`{"value":` + strings.Replace(call, "wacid.1", "wacid.2", 1) + `,"field":"calls"}]}]}`)
	if code := postSigned(t, ts.url, body); code != http.StatusOK {
		t.Fatalf("unknown number: got %d, want 200", code)
	}
	got := map[string]float64{}
	for _, field := range []string{"calls", "messages"} {
		got[field] = counter(t, ts.registry, "whatsapp_webhook_changes_total", map[string]string{"field": field, "outcome": outcomeUnknown})
	}
	if diff := cmp.Diff(map[string]float64{"calls": 2, "messages": 1}, got); diff != "" {
		t.Errorf("changes for an unknown number are counted under their own field: -want, +got:\n%s", diff)
	}
}
