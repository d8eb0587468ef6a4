package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
	"github.com/kubechat/whatsapp-operator/internal/testenv"
	"github.com/kubechat/whatsapp-operator/internal/testlog"
	"github.com/kubechat/whatsapp-operator/internal/testwait"
)

// Test fixtures: one WABA with two numbers; the second belongs to another
// provider's channel.
const (
	testWABA        = "102290129340398"
	testAppID       = "771234567890123"
	testPNID        = "106540352242922"
	otherPNID       = "106540352242999"
	testAccessToken = "EAAG-relay-test-token-0123456789"
	testAppSecret   = "relay-test-app-secret-abcdef"
	testVerifyToken = "relay-test-verify-token"
	testRecipient   = "16505551234"
)

// The API server is started on first use, so that unit tests and fuzz
// workers of this package do not pay for it, and stopped by TestMain.
var (
	envOnce   sync.Once
	sharedEnv *testenv.Env
	envErr    error
)

func TestMain(m *testing.M) {
	ctrllog.SetLogger(logr.Discard()) // client-go's informers log through controller-runtime's root logger
	code := m.Run()
	if sharedEnv != nil {
		if err := sharedEnv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stop envtest:", err)
		}
	}
	os.Exit(code)
}

func kube(t testing.TB) *testenv.Env {
	t.Helper()
	envOnce.Do(func() { sharedEnv, envErr = testenv.Start() })
	if envErr != nil {
		t.Fatalf("envtest: %v", envErr)
	}
	return sharedEnv
}

// harness is one relay Run against envtest, in its own namespace, as a
// ServiceAccount bound to exactly Rules(provider), sending to its own
// Graph API simulator over real HTTP.
type harness struct {
	t        testing.TB
	c        client.Client
	ns       string
	url      string
	sim      *graphsim.Server
	simURL   string
	provider *whatsappv1alpha1.MetaProvider
	reg      *prometheus.Registry
	logs     *testlog.Buffer
	cancel   context.CancelFunc
	done     chan error
}

var nsCounter struct {
	sync.Mutex
	n int
}

// setup configures one harness: the simulator, objects created before the
// relay starts (so its first synced cache holds them), and the relay's
// options.
type setup struct {
	sim     graphsim.Options
	before  func(*harness)
	options func(*Options)
	// simHandler, when set, wraps the simulator's handler (to see the
	// requests that reach Meta as they arrive).
	simHandler func(http.Handler) http.Handler
}

// startHarness creates the namespace, Secret, provider, Role and a Ready
// channel for testPNID, runs the relay and waits until it is ready.
func startHarness(t testing.TB, cfg setup) *harness {
	t.Helper()
	env := kube(t)
	sim := graphsim.New(cfg.sim)
	sim.AddApp(graphsim.App{ID: testAppID, Name: "Acme", Secret: testAppSecret})
	sim.AddWABA(graphsim.WABA{ID: testWABA, Name: "Acme Support"})
	for _, id := range []string{testPNID, otherPNID} {
		if _, err := sim.AddPhoneNumber(testWABA, graphsim.PhoneNumber{ID: id, DisplayPhoneNumber: "+1 202-555-01" + id[len(id)-2:]}); err != nil {
			t.Fatal(err)
		}
	}
	sim.AddToken(graphsim.Token{Value: testAccessToken, AppID: testAppID})
	var simHandler http.Handler = sim
	if cfg.simHandler != nil {
		simHandler = cfg.simHandler(sim)
	}
	simSrv := httptest.NewServer(simHandler)
	t.Cleanup(func() {
		simSrv.Close()
		sim.Close()
	})

	nsCounter.Lock()
	nsCounter.n++
	ns := fmt.Sprintf("relay-%d-%d", os.Getpid()%10000, nsCounter.n)
	nsCounter.Unlock()
	ctx := context.Background()
	c := env.Client
	must(t, c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}))
	must(t, c.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "acme-meta"}, StringData: map[string]string{
		whatsappv1alpha1.SecretKeyAccessToken: testAccessToken,
		whatsappv1alpha1.SecretKeyAppSecret:   testAppSecret,
		whatsappv1alpha1.SecretKeyVerifyToken: testVerifyToken,
	}}))
	// Another Secret the relay must never read.
	must(t, c.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "unrelated"}, StringData: map[string]string{"k": "v"}}))
	provider := &whatsappv1alpha1.MetaProvider{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "acme"}, Spec: whatsappv1alpha1.MetaProviderSpec{
		BusinessAccountID: testWABA, CredentialsSecretRef: whatsappv1alpha1.SecretReference{Name: "acme-meta"}, TemplateLanguage: "en",
	}}
	must(t, c.Create(ctx, provider))
	must(t, c.Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "relay"}, Rules: Rules(provider)}))
	must(t, c.Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "relay"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "relay"},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Namespace: ns, Name: "relay"}},
	}))
	h := &harness{t: t, c: c, ns: ns, sim: sim, simURL: simSrv.URL, provider: provider, reg: prometheus.NewRegistry(), done: make(chan error, 1)}
	h.createChannel("support", "acme", testPNID, true)
	if cfg.before != nil {
		cfg.before(h)
	}

	h.run(env, cfg.options)
	return h
}

// run starts a relay as the namespace's relay ServiceAccount, on a new
// listener, and waits until it is ready.
func (h *harness) run(env *testenv.Env, options func(*Options)) {
	t := h.t
	restCfg := rest.CopyConfig(env.Config)
	restCfg.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:" + h.ns + ":relay"}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	var log logr.Logger
	log, h.logs = testlog.JSONLogger()
	h.url = "http://" + l.Addr().String()
	opts := Options{
		ProviderNamespace: h.ns, ProviderName: "acme",
		RestConfig: restCfg, Listener: l, Logger: log, Registry: h.reg,
		GraphAPIURL: h.simURL, GraphAPIVersion: "v25.0",
		// The link checks in these tests go to loopback test servers.
		LinkAllow:       []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		ShutdownTimeout: 5 * time.Second,
	}
	if options != nil {
		options(&opts)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- Run(runCtx, opts) }()
	t.Cleanup(h.stop)
	h.waitSenders(1)
}

// stop cancels Run and waits for it.
func (h *harness) stop() {
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		h.t.Error("Run did not return after cancellation")
	}
}

// createChannel creates a channel of provider holding pnid, Ready or not.
func (h *harness) createChannel(name, provider, pnid string, ready bool) {
	h.t.Helper()
	ctx := context.Background()
	ch := &whatsappv1alpha1.WhatsAppChannel{ObjectMeta: metav1.ObjectMeta{Namespace: h.ns, Name: name}, Spec: whatsappv1alpha1.WhatsAppChannelSpec{
		ProviderRef: whatsappv1alpha1.ProviderReference{Name: provider}, PhoneNumber: "+1202555" + pnid[len(pnid)-4:],
		Chatbot: whatsappv1alpha1.ChatbotTarget{URL: "https://bot.example.com/whatsapp"},
	}}
	must(h.t, h.c.Create(ctx, ch))
	ch.Status.PhoneNumberID = pnid
	status := metav1.ConditionFalse
	if ready {
		status = metav1.ConditionTrue
	}
	meta.SetStatusCondition(&ch.Status.Conditions, metav1.Condition{Type: whatsappv1alpha1.ConditionReady, Status: status, Reason: "Succeeded", Message: "test"})
	must(h.t, h.c.Status().Update(ctx, ch))
}

// createTemplate creates a MessageTemplate with the status the controller
// would write, and the same template at the simulator.
func (h *harness) createTemplate(name, lang, format, body, status string) {
	h.t.Helper()
	ctx := context.Background()
	mt := &whatsappv1alpha1.MessageTemplate{ObjectMeta: metav1.ObjectMeta{Namespace: h.ns, Name: strings.ReplaceAll(name, "_", "-") + "-" + strings.ToLower(lang)},
		Spec: whatsappv1alpha1.MessageTemplateSpec{
			ProviderRef: whatsappv1alpha1.ProviderReference{Name: "acme"}, Name: name, Language: lang, Category: "UTILITY",
			ParameterFormat: format, Body: whatsappv1alpha1.TemplateBody{Text: body},
		}}
	if format == whatsappv1alpha1.ParameterFormatNamed {
		mt.Spec.Body.NamedExamples = []whatsappv1alpha1.NamedExample{{Name: FallbackVariable, Example: "Your order shipped"}}
	} else {
		mt.Spec.Body.Examples = []string{"Your order shipped"}
	}
	must(h.t, h.c.Create(ctx, mt))
	mt.Status.Name, mt.Status.ApprovalStatus, mt.Status.ParameterFormat = name, status, format
	meta.SetStatusCondition(&mt.Status.Conditions, metav1.Condition{Type: whatsappv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: "Succeeded", Message: "test"})
	must(h.t, h.c.Status().Update(ctx, mt))
	components, _ := json.Marshal([]map[string]string{{"type": "BODY", "text": body}})
	if _, err := h.sim.AddTemplate(testWABA, graphsim.Template{Name: name, Language: lang, Category: "UTILITY", Status: status,
		ParameterFormat: format, Components: components}); err != nil {
		h.t.Fatal(err)
	}
}

// waitSenders waits until the relay is ready with n numbers that may send.
func (h *harness) waitSenders(n int) {
	h.t.Helper()
	testwait.Until(h.t, 20*time.Second, fmt.Sprintf("the relay is ready with %d senders", n), func() bool {
		resp, err := http.Get(h.url + PathReadyz)
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK && gauge(h.reg, "whatsapp_relay_senders") == float64(n)
	})
}

// answer is a relay answer.
type answer struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (a answer) errCode() int {
	e, _ := a.body["error"].(map[string]any)
	c, _ := e["code"].(float64)
	return int(c)
}

func (a answer) errMessage() string {
	e, _ := a.body["error"].(map[string]any)
	m, _ := e["message"].(string)
	d, _ := e["error_data"].(map[string]any)
	details, _ := d["details"].(string)
	return m + " | " + details
}

// wamids are the message ids of a success answer, in order.
func (a answer) wamids() []string {
	msgs, _ := a.body["messages"].([]any)
	var out []string
	for _, m := range msgs {
		id, _ := m.(map[string]any)["id"].(string)
		out = append(out, id)
	}
	return out
}

// send posts a message body to the relay for pnid.
func (h *harness) send(pnid string, body any, header ...string) answer {
	h.t.Helper()
	raw, ok := body.([]byte)
	if !ok {
		var err error
		raw, err = json.Marshal(body)
		must(h.t, err)
	}
	return h.post("/v24.0/"+pnid+"/messages", "application/json", raw, header...)
}

// post sends a request and decodes the answer.
func (h *harness) post(path, contentType string, body []byte, header ...string) answer {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.url+path, bytes.NewReader(body))
	must(h.t, err)
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	must(h.t, err)
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return answer{status: resp.StatusCode, header: resp.Header, raw: raw, body: m}
}

// text is a text message to the test recipient.
func text(body string) map[string]any {
	return map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": testRecipient, "type": "text", "text": map[string]any{"body": body}}
}

// sendCalls is how many send requests reached the simulator.
func (h *harness) sendCalls() int { return h.sim.CallCounts()[graphsim.EndpointSendMessage] }

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// gauge reads a gauge (or a counter) without labels; 0 when absent.
func gauge(reg *prometheus.Registry, name string) float64 {
	families, _ := reg.Gather()
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if g := m.GetGauge(); g != nil {
				return g.GetValue()
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// counter reads a counter with the given labels; 0 when absent.
func counter(reg *prometheus.Registry, name string, labels map[string]string) float64 {
	families, _ := reg.Gather()
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metric:
		for _, m := range f.GetMetric() {
			for _, lp := range m.GetLabel() {
				if v, ok := labels[lp.GetName()]; ok && v != lp.GetValue() {
					continue metric
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}
