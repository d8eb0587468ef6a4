package webhookserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/testwait"
)

// TestRunRoutesThroughEndpointSlices routes a number to a chatbot Service
// resolved through a hand-made Service and EndpointSlice. The endpoints are
// documentation addresses (the API server refuses loopback ones) that the
// dialer seam maps onto loopback stubs.
func TestRunRoutesThroughEndpointSlices(t *testing.T) {
	a, b := newChatbot(t), newChatbot(t)
	h := startHarness(t, func(o *Options) {
		o.DialContext = loopbackDialer(map[string]string{"192.0.2.10:8080": hostPort(a.srv.URL), "192.0.2.11:8080": hostPort(b.srv.URL)})
	})
	ctx := context.Background()
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: h.ns, Name: "bot"}, Spec: corev1.ServiceSpec{
		Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}},
	}}
	must(t, h.c.Create(ctx, svc))
	ready, portName, port := true, "http", int32(8080)
	slice := &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Namespace: h.ns, Name: "bot-abc", Labels: map[string]string{discoveryv1.LabelServiceName: "bot"}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints: []discoveryv1.Endpoint{
			{Addresses: []string{"192.0.2.10"}, Conditions: discoveryv1.EndpointConditions{Ready: &ready}},
			{Addresses: []string{"192.0.2.11"}, Conditions: discoveryv1.EndpointConditions{Ready: &ready}},
		},
		Ports: []discoveryv1.EndpointPort{{Name: &portName, Port: &port}},
	}
	must(t, h.c.Create(ctx, slice))
	h.createChannel("us", "+12025550101", "101", whatsappv1alpha1.ChatbotTarget{
		ServiceRef: &whatsappv1alpha1.ServiceReference{Name: "bot", Port: intstr.FromString("http")}, Path: "/whatsapp",
	})

	n := 0
	send := func() int {
		n++
		return postSigned(t, h.url, envelopeOf(textMessage("101", "12025550101", fmt.Sprintf("wamid.E%d", n), "hello")))
	}
	testwait.Until(t, 10*time.Second, "the Service route works", func() bool { return send() == http.StatusOK })
	for range 4 {
		if code := send(); code != http.StatusOK {
			t.Fatalf("POST: got %d, want 200", code)
		}
	}
	if len(a.requests()) == 0 || len(b.requests()) == 0 {
		t.Errorf("deliveries are spread across ready endpoints: a got %d, b got %d", len(a.requests()), len(b.requests()))
	}
	for _, r := range append(a.requests(), b.requests()...) {
		if r.path != "/whatsapp" || r.header.Get(HeaderChannel) != h.ns+"/us" {
			t.Errorf("delivery went to %s with channel %q", r.path, r.header.Get(HeaderChannel))
		}
	}

	// An endpoint that is no longer ready gets nothing new.
	notReady := false
	slice.Endpoints[1].Conditions.Ready = &notReady
	must(t, h.c.Update(ctx, slice))
	testwait.Until(t, 10*time.Second, "the not-ready endpoint leaves the rotation", func() bool {
		before := len(b.requests())
		for range 3 {
			send()
		}
		return len(b.requests()) == before
	})
}

// TestRunNewChannelRoutesQuickly creates a channel while the server runs:
// its number routes as soon as the informer sees it, with no restart.
func TestRunNewChannelRoutesQuickly(t *testing.T) {
	bot := newChatbot(t)
	h := startHarness(t, nil)
	body := func(i int) []byte {
		return envelopeOf(textMessage("202", "12025550202", fmt.Sprintf("wamid.N%d", i), "hi"))
	}
	if code := postSigned(t, h.url, body(0)); code != http.StatusOK {
		t.Fatalf("a number no channel claims: got %d, want 200 (acknowledged)", code)
	}
	start := time.Now()
	h.createChannel("new", "+12025550202", "202", urlBot(bot.srv.URL))
	i := 0
	testwait.Until(t, 5*time.Second, "the new channel receives its number's messages", func() bool {
		i++
		return postSigned(t, h.url, body(i)) == http.StatusOK && len(bot.requests()) > 0
	})
	t.Logf("routed %s after the channel was written", time.Since(start).Round(time.Millisecond))
}

// TestRunTemplateAndQualityEvents: a template status webhook sets the
// reconcile-requested-at annotation on the MessageTemplate with that
// templateID; a quality webhook sets it on the channel with that number.
func TestRunTemplateAndQualityEvents(t *testing.T) {
	h := startHarness(t, nil)
	ctx := context.Background()
	tmpl := &whatsappv1alpha1.MessageTemplate{ObjectMeta: metav1.ObjectMeta{Namespace: h.ns, Name: "order-confirmation"}}
	tmpl.Spec.ProviderRef.Name = testProvider
	tmpl.Spec.Language, tmpl.Spec.Category = "en_US", "UTILITY"
	tmpl.Spec.Body.Text = "Your order is confirmed."
	must(t, h.c.Create(ctx, tmpl))
	tmpl.Status.TemplateID = "1689556908129832"
	must(t, h.c.Status().Update(ctx, tmpl))
	h.createChannel("us", "+12025550101", "101", urlBot("http://127.0.0.1:1/"))

	raw, err := os.ReadFile(filepath.Join("testdata", "meta-webhooks", "template_status_update.json"))
	must(t, err)
	var fixtures map[string]json.RawMessage
	must(t, json.Unmarshal(raw, &fixtures))
	approved := fixtures["approved"] // WABA 102290129340398, template 1689556908129832
	quality := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"` + testWABA + `","changes":[{"value":{"display_phone_number":"12025550101","event":"DOWNGRADE","current_limit":"TIER_1K"},"field":"phone_number_quality_update"}]}]}`)

	testwait.Until(t, 10*time.Second, "the template is annotated", func() bool {
		if code := postSigned(t, h.url, approved); code != http.StatusOK {
			t.Fatalf("template webhook: got %d, want 200", code)
		}
		var got whatsappv1alpha1.MessageTemplate
		must(t, h.c.Get(ctx, types.NamespacedName{Namespace: h.ns, Name: tmpl.Name}, &got))
		return got.Annotations[whatsappv1alpha1.ReconcileRequestAnnotation] != ""
	})
	testwait.Until(t, 10*time.Second, "the channel is annotated", func() bool {
		if code := postSigned(t, h.url, quality); code != http.StatusOK {
			t.Fatalf("quality webhook: got %d, want 200", code)
		}
		var got whatsappv1alpha1.WhatsAppChannel
		must(t, h.c.Get(ctx, types.NamespacedName{Namespace: h.ns, Name: "us"}, &got))
		return got.Annotations[whatsappv1alpha1.ReconcileRequestAnnotation] != ""
	})
}

// TestRunSecretRotationAndLogs rotates the app secret while the server runs
// and checks that no credential and no message text ever reaches the logs.
func TestRunSecretRotationAndLogs(t *testing.T) {
	bot := newChatbot(t)
	h := startHarness(t, nil)
	ctx := context.Background()
	h.createChannel("us", "+12025550101", "101", urlBot(bot.srv.URL))
	const newSecret = "app-secret-rotated-77e1c2"
	const text = "my private message text"

	// Handshakes, good and bad; a bad signature; a good delivery.
	for _, token := range []string{testVerifyToken, "wrong-token"} {
		resp, err := http.Get(h.url + PathWebhook + "?" + url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {token}, "hub.challenge": {"42"}}.Encode())
		must(t, err)
		_ = resp.Body.Close()
	}
	post(t, h.url, envelopeOf(textMessage("101", "1", "wamid.L0", text)), signatureHeader([]byte("wrong"), []byte("x")))
	i := 0
	testwait.Until(t, 10*time.Second, "delivery with the first secret", func() bool {
		i++
		return postSigned(t, h.url, envelopeOf(textMessage("101", "1", fmt.Sprintf("wamid.L%d", i), text))) == http.StatusOK
	})

	var secret corev1.Secret
	must(t, h.c.Get(ctx, types.NamespacedName{Namespace: h.ns, Name: whatsappv1alpha1.WebhookSecretName(testProvider)}, &secret))
	secret.Data[whatsappv1alpha1.SecretKeyAppSecret] = []byte(newSecret)
	must(t, h.c.Update(ctx, &secret))
	testwait.Until(t, 10*time.Second, "the new app secret is accepted", func() bool {
		i++
		b := envelopeOf(textMessage("101", "1", fmt.Sprintf("wamid.L%d", i), text))
		return post(t, h.url, b, signatureHeader([]byte(newSecret), b)).StatusCode == http.StatusOK
	})
	i++
	if code := postSigned(t, h.url, envelopeOf(textMessage("101", "1", fmt.Sprintf("wamid.L%d", i), text))); code != http.StatusOK {
		t.Errorf("during the grace period the previous app secret is still accepted: got %d", code)
	}
	if n := counter(t, h.reg, "whatsapp_webhook_previous_app_secret_total", nil); n < 1 {
		t.Errorf("webhooks verified by the previous secret are counted: %v", n)
	}
	must(t, h.stop())

	logs := h.logs.String()
	if testing.Verbose() {
		t.Logf("logs:\n%s", logs)
	}
	if leaked := append(secretsIn(logs), func() []string {
		if strings.Contains(logs, newSecret) {
			return []string{newSecret}
		}
		return nil
	}()...); len(leaked) > 0 {
		t.Errorf("credentials in the logs: %q", leaked)
	}
	if strings.Contains(logs, text) {
		t.Error("message text in the logs")
	}
	for _, want := range []string{"verification handshake refused", "webhook refused: signature", "credentials loaded"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q (the capture works and says what happened)", want)
		}
	}
}

// TestRunGracefulShutdown cancels Run while a delivery is in flight: the
// webhook still gets its 200, then Run returns and the port is closed.
func TestRunGracefulShutdown(t *testing.T) {
	bot := newChatbot(t)
	bot.delay.Store(int64(time.Second))
	h := startHarness(t, nil)
	h.createChannel("us", "+12025550101", "101", urlBot(bot.srv.URL))
	// Wait for the route with a fast chatbot, then slow it down.
	bot.delay.Store(0)
	i := 0
	testwait.Until(t, 10*time.Second, "routed", func() bool {
		i++
		return postSigned(t, h.url, envelopeOf(textMessage("101", "1", fmt.Sprintf("wamid.G%d", i), "x"))) == http.StatusOK
	})
	bot.delay.Store(int64(time.Second))
	before := bot.started.Load()
	result := make(chan int, 1)
	go func() { result <- postSigned(t, h.url, envelopeOf(textMessage("101", "1", "wamid.inflight", "x"))) }()
	testwait.Until(t, 10*time.Second, "the webhook reaches the slow chatbot", func() bool { return bot.started.Load() > before })
	h.cancel()
	select {
	case code := <-result:
		if code != http.StatusOK {
			t.Errorf("the in-flight webhook: got %d, want 200", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the in-flight webhook never completed")
	}
	if err := h.stop(); err != nil {
		t.Errorf("Run returned %v, want nil", err)
	}
	if _, err := http.Get(h.url + PathHealthz); err == nil {
		t.Error("the listener still accepts connections after Run returned")
	}
}
