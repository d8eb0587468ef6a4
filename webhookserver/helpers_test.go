package webhookserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/testlog"
)

// Test credentials and ids. The secrets are long enough to be found if
// they ever leak into logs.
const (
	testNamespace   = "support"
	testProvider    = "acme"
	testWABA        = "102290129340398"
	testAppSecret   = "app-secret-5f3c0a9e7d2b41c8"
	testVerifyToken = "verify-token-9b1d7e3a2c"
	testAccessToken = "EAAG-access-token-4e8a1f"
	// testForwardingKey signs what the server forwards to chatbots.
	testForwardingKey = "forwarding-key-0d6b2e8f4a9c71e3"
)

// fixture is one scenario of a file in testdata/meta-webhooks.
type fixture struct {
	file, scenario string
	body           []byte
}

// loadFixtures reads every scenario of every fixture file, each body as
// the exact bytes in the file.
func loadFixtures(tb testing.TB) []fixture {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "meta-webhooks", "*.json"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no fixtures: %v", err)
	}
	var out []fixture
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var scenarios map[string]json.RawMessage
		if err := json.Unmarshal(raw, &scenarios); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		names := make([]string, 0, len(scenarios))
		for n := range scenarios {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			out = append(out, fixture{file: filepath.Base(f), scenario: n, body: scenarios[n]})
		}
	}
	return out
}

// fixturePhoneNumberIDs are every metadata.phone_number_id in the fixtures.
var fixturePhoneNumberIDs = []string{
	"1122334455667", "<BUSINESS_PHONE_NUMBER_ID>", "106540352242922", "743897493242", "5483758353", "37489742",
}

// testProviderObject is the MetaProvider the test servers serve.
func testProviderObject() *whatsappv1alpha1.MetaProvider {
	p := &whatsappv1alpha1.MetaProvider{}
	p.Namespace, p.Name = testNamespace, testProvider
	p.Spec.BusinessAccountID = testWABA
	p.Spec.CredentialsSecretRef.Name = "acme-meta"
	return p
}

// newChannel returns a channel of the test provider.
func newChannel(name, phone, pnid string, bot whatsappv1alpha1.ChatbotTarget, conds ...metav1.Condition) whatsappv1alpha1.WhatsAppChannel {
	ch := whatsappv1alpha1.WhatsAppChannel{}
	ch.Namespace, ch.Name = testNamespace, name
	ch.Spec.ProviderRef.Name = testProvider
	ch.Spec.PhoneNumber = phone
	ch.Spec.Chatbot = bot
	ch.Status.PhoneNumberID = pnid
	ch.Status.Conditions = conds
	return ch
}

// urlBot is a chatbot target by URL.
func urlBot(u string) whatsappv1alpha1.ChatbotTarget { return whatsappv1alpha1.ChatbotTarget{URL: u} }

// received is one request a chatbot stub got.
type received struct {
	host, path string
	header     http.Header
	body       []byte
}

// chatbot is a stub chatbot on a loopback listener.
type chatbot struct {
	srv     *httptest.Server
	status  atomic.Int32
	delay   atomic.Int64 // nanoseconds before answering
	started atomic.Int32 // requests that arrived, answered or not
	mu      sync.Mutex
	reqs    []received
}

// newChatbot starts a stub answering 200 until told otherwise.
func newChatbot(tb testing.TB) *chatbot {
	c := &chatbot{}
	c.status.Store(http.StatusOK)
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.started.Add(1)
		body, _ := io.ReadAll(r.Body)
		if d := time.Duration(c.delay.Load()); d > 0 {
			time.Sleep(d)
		}
		c.mu.Lock()
		c.reqs = append(c.reqs, received{host: r.Host, path: r.URL.Path, header: r.Header.Clone(), body: body})
		c.mu.Unlock()
		w.WriteHeader(int(c.status.Load()))
	}))
	tb.Cleanup(c.srv.Close)
	return c
}

// requests returns a copy of what the stub received.
func (c *chatbot) requests() []received {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]received(nil), c.reqs...)
}

// messageIDs returns the ids of every message and status the stub received.
func (c *chatbot) messageIDs(tb testing.TB) []string {
	tb.Helper()
	var ids []string
	for _, r := range c.requests() {
		env, err := ParseEnvelope(r.body)
		if err != nil {
			tb.Fatalf("chatbot got invalid JSON: %v", err)
		}
		for _, e := range env.Entry {
			for _, ch := range e.Changes {
				var v struct {
					Messages []struct{ ID string } `json:"messages"`
					Statuses []struct{ ID, Status string }
				}
				_ = json.Unmarshal(ch.Value, &v)
				for _, m := range v.Messages {
					ids = append(ids, m.ID)
				}
				for _, s := range v.Statuses {
					ids = append(ids, s.ID+"/"+s.Status)
				}
			}
		}
	}
	return ids
}

// loopbackDialer maps addresses (documentation addresses such as
// 192.0.2.10:8080) onto loopback stubs and refuses anything else that is not
// loopback: tests never send traffic off the machine.
func loopbackDialer(mapping map[string]string) DialFunc {
	d := &net.Dialer{Timeout: 2 * time.Second}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if to, ok := mapping[addr]; ok {
			addr = to
		}
		host, _, err := net.SplitHostPort(addr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return nil, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("test dialer refuses non-loopback address %s", addr)}
		}
		return d.DialContext(ctx, network, addr)
	}
}

// hostPort returns the host:port of a stub's URL.
func hostPort(rawURL string) string { return strings.TrimPrefix(rawURL, "http://") }

// fakeResolver resolves Services from a map.
type fakeResolver struct {
	targets map[string]serviceTarget
}

func (f *fakeResolver) Resolve(_ context.Context, _ string, ref whatsappv1alpha1.ServiceReference) (serviceTarget, error) {
	t, ok := f.targets[ref.Name]
	if !ok {
		return serviceTarget{}, errNotRoutable
	}
	return t, nil
}

// fakeRequester records reconcile requests. With gate set, every request
// waits for the gate to close (or its context to end) first.
type fakeRequester struct {
	gate      chan struct{}
	mu        sync.Mutex
	templates []string
	channels  []types.NamespacedName
}

func (f *fakeRequester) wait(ctx context.Context) error {
	if f.gate == nil {
		return nil
	}
	select {
	case <-f.gate:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *fakeRequester) RequestTemplates(ctx context.Context, id string) (int, error) {
	if err := f.wait(ctx); err != nil {
		return 0, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.templates = append(f.templates, id)
	return 1, nil
}

func (f *fakeRequester) RequestChannel(ctx context.Context, ch types.NamespacedName) error {
	if err := f.wait(ctx); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.channels = append(f.channels, ch)
	return nil
}

// requested returns copies of what was requested.
func (f *fakeRequester) requested() ([]string, []types.NamespacedName) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.templates...), append([]types.NamespacedName(nil), f.channels...)
}

// waitNudges waits until no reconcile request is queued or running.
func (ts *testServer) waitNudges(tb testing.TB) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for ts.nudges.pending.Load() != 0 {
		if time.Now().After(deadline) {
			tb.Fatalf("reconcile requests still pending after 5s: %d", ts.nudges.pending.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fakeConfirmer answers live checks from a map.
type fakeConfirmer struct {
	claimed map[string]bool
	calls   atomic.Int32
}

func (f *fakeConfirmer) Claimed(_ context.Context, _ *RouteTable, pnid, _ string) (bool, error) {
	f.calls.Add(1)
	return f.claimed[pnid], nil
}

// testServer is a Server over a real loopback socket with fake cluster seams.
type testServer struct {
	*Server
	url       string
	requester *fakeRequester
	confirmer *fakeConfirmer
	resolver  *fakeResolver
	registry  *prometheus.Registry
	logs      *testlog.Buffer
	table     atomic.Pointer[RouteTable]
}

// newTestServer serves the test provider with the given channels.
func newTestServer(tb testing.TB, channels []whatsappv1alpha1.WhatsAppChannel, mutate ...func(*Options)) *testServer {
	tb.Helper()
	log, logs := testlog.JSONLogger()
	// The chatbot stubs listen on loopback, which the production dialer
	// refuses (TestChatbotDialGuard): tests dial through loopbackDialer.
	opts := Options{ProviderNamespace: testNamespace, ProviderName: testProvider, Logger: log, Registry: prometheus.NewRegistry(),
		DialContext: loopbackDialer(nil)}
	for _, m := range mutate {
		m(&opts)
	}
	opts, err := opts.withDefaults()
	if err != nil {
		tb.Fatal(err)
	}
	m, err := newMetrics(opts.Registry)
	if err != nil {
		tb.Fatal(err)
	}
	creds := newCredentialStore(opts.AppSecretGracePeriod, time.Now)
	creds.Update(map[string][]byte{
		whatsappv1alpha1.SecretKeyAppSecret:     []byte(testAppSecret),
		whatsappv1alpha1.SecretKeyVerifyToken:   []byte(testVerifyToken),
		whatsappv1alpha1.SecretKeyAccessToken:   []byte(testAccessToken),
		whatsappv1alpha1.SecretKeyForwardingKey: []byte(testForwardingKey),
	})
	ts := &testServer{
		requester: &fakeRequester{},
		confirmer: &fakeConfirmer{claimed: map[string]bool{}},
		resolver:  &fakeResolver{targets: map[string]serviceTarget{}},
		registry:  opts.Registry,
		logs:      logs,
	}
	ts.table.Store(BuildRouteTable(1, testProviderObject(), channels))
	store, err := openSharedStore(opts)
	if err != nil {
		tb.Fatal(err)
	}
	if store != nil {
		tb.Cleanup(func() { _ = store.Close() })
	}
	ts.Server = newServer(serverDeps{
		store:     store,
		opts:      opts,
		metrics:   m,
		creds:     creds,
		routes:    ts.table.Load,
		synced:    func() bool { return true },
		resolver:  ts.resolver,
		requester: ts.requester,
		confirmer: ts.confirmer,
	})
	srv := httptest.NewServer(ts.Handler())
	tb.Cleanup(func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		ts.nudges.drain(ctx)
	})
	ts.url = srv.URL
	return ts
}

// post sends body to /webhook with the given signature header ("" for none).
func post(tb testing.TB, baseURL string, body []byte, signature string) *http.Response {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, baseURL+PathWebhook, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set(headerSignature, signature)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp
}

// postSigned sends body signed with the test app secret.
func postSigned(tb testing.TB, baseURL string, body []byte) int {
	tb.Helper()
	return post(tb, baseURL, body, signatureHeader([]byte(testAppSecret), body)).StatusCode
}

// counter reads a counter of the registry; 0 when absent.
func counter(tb testing.TB, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	tb.Helper()
	families, err := reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
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

// textMessage builds a messages change value for one text message.
func textMessage(pnid, display, wamid, text string) string {
	return `{"messaging_product":"whatsapp","metadata":{"display_phone_number":"` + display + `","phone_number_id":"` + pnid +
		`"},"contacts":[{"profile":{"name":"Sheena"},"wa_id":"16505551234","user_id":"US.13491208655302741918"}],` +
		`"messages":[{"from":"16505551234","from_user_id":"US.13491208655302741918","id":"` + wamid +
		`","timestamp":"1749416383","type":"text","text":{"body":"` + text + `"}}]}`
}

// envelopeOf wraps change values (field messages) into one entry of the test WABA.
func envelopeOf(values ...string) []byte {
	changes := make([]string, len(values))
	for i, v := range values {
		changes[i] = `{"value":` + v + `,"field":"messages"}`
	}
	return []byte(`{"object":"whatsapp_business_account","entry":[{"id":"` + testWABA + `","changes":[` + strings.Join(changes, ",") + `]}]}`)
}
