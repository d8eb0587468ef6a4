package controllers_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/controllers"
	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
	"github.com/kubechat/whatsapp-operator/internal/mediafetch"
	"github.com/kubechat/whatsapp-operator/internal/redistest"
	"github.com/kubechat/whatsapp-operator/internal/relayresources"
	"github.com/kubechat/whatsapp-operator/internal/testenv"
	"github.com/kubechat/whatsapp-operator/internal/testlog"
	"github.com/kubechat/whatsapp-operator/internal/webhookresources"
)

// The controllers run against a real kube-apiserver + etcd (envtest) and
// talk to the Graph API simulator over real HTTP. Each test gets its own
// namespace, simulator and manager (its cache limited to that namespace),
// so tests run in parallel without seeing each other's calls.

var env *testenv.Env

func TestMain(m *testing.M) {
	code := testenv.RunTests(m, func(e *testenv.Env) error { env = e; return nil })
	redistest.StopShared()
	os.Exit(code)
}

// Seed values of every fixture's simulator.
const (
	appID     = "771234567890123"
	appSecret = "app-secret-5f1c9e"
	wabaID    = "102290129340398"
	wabaName  = "Acme Support"
	phoneID   = "120211111111111"
	phoneE164 = "+12025550123"
)

type fixture struct {
	t      *testing.T
	ns     string
	sim    *graphsim.Server
	simURL string
	link   *lossyLink
	c      client.Client
	token  string
	verify string
	logs   *testlog.Buffer
	// writes records the API requests of the operator that change objects.
	writes *requestLog
	stop   context.CancelFunc
	done   chan struct{}
}

type fixtureOptions struct {
	review      graphsim.Review
	reviewDelay time.Duration
	scopes      []string
	httpTimeout time.Duration
	// numberRecheckAge overrides Options.NumberRecheckAge (default 10s).
	numberRecheckAge time.Duration
	// mediaServer, when set, is trusted for media header samples and
	// reachable on loopback (which the default fetcher refuses).
	mediaServer *httptest.Server
	// metaBudgets runs the client with Meta's own hourly budgets (the
	// production defaults) and makes the simulator enforce them.
	metaBudgets bool
	// storeRecheck is Options.SharedStoreRecheck (default 1m); the shared
	// store may always be on loopback in tests.
	storeRecheck time.Duration
	// webhookPodDefaults and relayPodDefaults are the operator-wide pod
	// settings (--webhook-pod-defaults, --relay-pod-defaults).
	webhookPodDefaults, relayPodDefaults *whatsappv1alpha1.PodSettings
}

func newFixture(t *testing.T, o fixtureOptions) *fixture {
	t.Helper()
	ctx := context.Background()
	ns := fmt.Sprintf("t-%d", rand.Uint64()%1_000_000_000)
	if err := env.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}
	sim := graphsim.New(graphsim.Options{ReviewDelay: o.reviewDelay, ReviewOutcome: o.review, EnforceRateLimits: o.metaBudgets})
	link := &lossyLink{next: sim}
	srv := httptest.NewServer(link)
	t.Cleanup(func() { srv.Close(); sim.Close() })
	f := &fixture{
		t: t, ns: ns, sim: sim, simURL: srv.URL, c: env.Client, link: link,
		token:  fmt.Sprintf("EAAG-token-%d", rand.Uint64()),
		verify: fmt.Sprintf("verify-%d", rand.Uint64()),
		logs:   &testlog.Buffer{},
		writes: &requestLog{},
	}
	sim.AddApp(graphsim.App{ID: appID, Name: "Acme Bot App", Secret: appSecret})
	sim.AddWABA(graphsim.WABA{ID: wabaID, Name: wabaName})
	if _, err := sim.AddPhoneNumber(wabaID, graphsim.PhoneNumber{ID: phoneID, DisplayPhoneNumber: "+1 202-555-0123", VerifiedName: "Acme Support", QualityRating: "GREEN"}); err != nil {
		t.Fatal(err)
	}
	sim.AddToken(graphsim.Token{Value: f.token, AppID: appID, Scopes: o.scopes})
	f.startManager(o)
	return f
}

// startManager runs the controllers for this fixture's namespace until
// stopManager or the end of the test.
func (f *fixture) startManager(o fixtureOptions) {
	t := f.t
	skip := true
	logger := funcr.New(func(prefix, args string) { f.logs.WriteString(prefix + " " + args + "\n") }, funcr.Options{Verbosity: 1})
	cfg := rest.CopyConfig(env.Config)
	cfg.Wrap(f.writes.wrap)
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 env.Scheme,
		Logger:                 logger,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Controller:             config.Controller{SkipNameValidation: &skip},
		Cache: cache.Options{
			DefaultNamespaces: map[string]cache.Config{f.ns: {}},
			ByObject:          webhookresources.CacheByObject(),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	timeout := o.httpTimeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	// Budgets far above what a test spends, but the limiter stays on: a
	// rate-limit answer from Meta blocks the WABA as in production.
	limits := graph.Limits{ManagementPerHour: 10_000_000, RegisteredManagementPerHour: 10_000_000, TemplateCreatesPerHour: 10_000_000}
	if o.metaBudgets {
		limits = graph.Limits{}
	}
	factory := graph.NewFactory(graph.Config{
		BaseURL:    f.simURL,
		HTTPClient: &http.Client{Timeout: timeout},
		Limits:     limits,
		Logger:     logger.WithName("graph"),
	})
	var media *mediafetch.Fetcher
	if o.mediaServer != nil {
		media = mediafetch.New(mediafetch.Options{
			Allow:   []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
			RootCAs: o.mediaServer.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs,
		})
	}
	if err := controllers.Setup(mgr, controllers.Options{
		Graph: factory, GraphAPIURL: f.simURL, GraphAPIVersion: "v25.0", WebhookImage: "whatsapp-operator:test",
		MinListingAge: 500 * time.Millisecond, PendingPollMin: time.Second, NumberRecheckAge: o.numberRecheckAge,
		MediaFetcher: media, SharedStoreRecheck: o.storeRecheck, SharedStoreAllow: redistest.Loopback,
		WebhookPodDefaults: o.webhookPodDefaults, RelayPodDefaults: o.relayPodDefaults,
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	f.stop, f.done = cancel, make(chan struct{})
	go func() {
		defer close(f.done)
		if err := mgr.Start(ctx); err != nil {
			t.Errorf("manager: %v", err)
		}
	}()
	t.Cleanup(f.stopManager)
}

func (f *fixture) stopManager() {
	if f.stop == nil {
		return
	}
	f.stop()
	<-f.done
	f.stop = nil
}

// secret creates the credentials Secret.
func (f *fixture) secret(name string) *corev1.Secret {
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: f.ns},
		StringData: map[string]string{"accessToken": f.token, "appSecret": appSecret, "verifyToken": f.verify},
	}
	f.create(s)
	return s
}

func (f *fixture) create(obj client.Object) {
	f.t.Helper()
	obj.SetNamespace(f.ns)
	if err := f.c.Create(context.Background(), obj); err != nil {
		f.t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
}

func (f *fixture) provider(name string, mutate ...func(*whatsappv1alpha1.MetaProvider)) *whatsappv1alpha1.MetaProvider {
	p := &whatsappv1alpha1.MetaProvider{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: f.ns},
		Spec: whatsappv1alpha1.MetaProviderSpec{
			BusinessAccountID:    wabaID,
			AppID:                appID,
			CredentialsSecretRef: whatsappv1alpha1.SecretReference{Name: name + "-meta"},
		},
	}
	for _, m := range mutate {
		m(p)
	}
	f.create(p)
	return p
}

// readyProvider creates Secret and provider and plays the kubelet: the
// webhook Deployment gets a ready replica.
func (f *fixture) readyProvider(name string, mutate ...func(*whatsappv1alpha1.MetaProvider)) *whatsappv1alpha1.MetaProvider {
	f.secret(name + "-meta")
	p := f.provider(name, mutate...)
	f.markWebhookReady(name)
	f.waitCondition(p, "Ready", metav1.ConditionTrue, "")
	return p
}

// markWebhookReady sets the webhook and relay Deployments' status as a
// kubelet and the Deployment controller would (envtest runs neither): the
// provider is Ready only with both.
func (f *fixture) markWebhookReady(provider string) {
	f.t.Helper()
	f.markDeploymentReady(webhookresources.Name(provider))
	f.markDeploymentReady(relayresources.Name(provider))
}

// markDeploymentReady gives the Deployment called name one ready replica.
func (f *fixture) markDeploymentReady(name string) {
	f.t.Helper()
	d := &appsv1.Deployment{}
	key := client.ObjectKey{Namespace: f.ns, Name: name}
	f.eventually("Deployment "+name+" exists", func() bool { return f.c.Get(context.Background(), key, d) == nil })
	patch := client.MergeFrom(d.DeepCopy())
	d.Status.Replicas, d.Status.ReadyReplicas, d.Status.AvailableReplicas, d.Status.UpdatedReplicas = 1, 1, 1, 1
	d.Status.ObservedGeneration = d.Generation
	if err := f.c.Status().Patch(context.Background(), d, patch); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) channel(name, number string, mutate ...func(*whatsappv1alpha1.WhatsAppChannel)) *whatsappv1alpha1.WhatsAppChannel {
	ch := &whatsappv1alpha1.WhatsAppChannel{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: f.ns},
		Spec: whatsappv1alpha1.WhatsAppChannelSpec{
			ProviderRef: whatsappv1alpha1.ProviderReference{Name: "acme"},
			PhoneNumber: number,
			Chatbot:     whatsappv1alpha1.ChatbotTarget{URL: "https://bot.example.com/whatsapp"},
		},
	}
	for _, m := range mutate {
		m(ch)
	}
	f.create(ch)
	return ch
}

func (f *fixture) template(name string, mutate ...func(*whatsappv1alpha1.MessageTemplate)) *whatsappv1alpha1.MessageTemplate {
	t := &whatsappv1alpha1.MessageTemplate{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: f.ns},
		Spec: whatsappv1alpha1.MessageTemplateSpec{
			ProviderRef: whatsappv1alpha1.ProviderReference{Name: "acme"},
			Language:    "en_US",
			Category:    whatsappv1alpha1.CategoryUtility,
			Body: whatsappv1alpha1.TemplateBody{
				Text:     "Hi {{1}}, your order {{2}} has shipped.",
				Examples: []string{"John", "#4521"},
			},
		},
	}
	for _, m := range mutate {
		m(t)
	}
	f.create(t)
	return t
}

// get re-reads obj.
func (f *fixture) get(obj client.Object) {
	f.t.Helper()
	if err := f.c.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
		f.t.Fatalf("get %s: %v", obj.GetName(), err)
	}
}

const waitFor = 20 * time.Second

// eventually polls cond until it holds or the deadline passes.
func (f *fixture) eventually(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	f.t.Fatalf("timed out waiting for: %s", what)
}

type conditioned interface {
	client.Object
	GetConditions() []metav1.Condition
}

// waitCondition waits until obj has the condition with status (and reason,
// when given) for its current generation, and leaves obj freshly read.
func (f *fixture) waitCondition(obj conditioned, condType string, status metav1.ConditionStatus, reason string) {
	f.t.Helper()
	var last string
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		if err := f.c.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err == nil {
			last = describeConditions(obj.GetConditions())
			for _, c := range obj.GetConditions() {
				if c.Type == condType && c.Status == status && (reason == "" || c.Reason == reason) && c.ObservedGeneration == obj.GetGeneration() {
					return
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	f.t.Fatalf("%s %s: timed out waiting for %s=%s %s; conditions: %s", obj.GetObjectKind().GroupVersionKind().Kind, obj.GetName(), condType, status, reason, last)
}

func describeConditions(cs []metav1.Condition) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "\n  %s=%s %s: %s", c.Type, c.Status, c.Reason, c.Message)
	}
	return b.String()
}

func condition(obj conditioned, condType string) *metav1.Condition {
	for _, c := range obj.GetConditions() {
		if c.Type == condType {
			c := c
			return &c
		}
	}
	return nil
}

// events returns the Events recorded about an object in the namespace.
func (f *fixture) events(name string) []eventsv1.Event {
	var list eventsv1.EventList
	if err := f.c.List(context.Background(), &list, client.InNamespace(f.ns)); err != nil {
		f.t.Fatal(err)
	}
	var out []eventsv1.Event
	for _, e := range list.Items {
		if e.Regarding.Name == name {
			out = append(out, e)
		}
	}
	return out
}

// waitEvent waits for an Event with reason about the object.
func (f *fixture) waitEvent(name, reason string) eventsv1.Event {
	f.t.Helper()
	var found eventsv1.Event
	f.eventually("Event "+reason+" about "+name, func() bool {
		for _, e := range f.events(name) {
			if e.Reason == reason {
				found = e
				return true
			}
		}
		return false
	})
	return found
}

// requestReconcile sets the reconcile-request annotation, as a human (or
// the webhook server) would, and returns its value.
func (f *fixture) requestReconcile(obj client.Object) string {
	f.t.Helper()
	v := time.Now().Format(time.RFC3339Nano)
	patch := []byte(fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, whatsappv1alpha1.ReconcileRequestAnnotation, v))
	if err := f.c.Patch(context.Background(), obj, client.RawPatch("application/merge-patch+json", patch)); err != nil {
		f.t.Fatal(err)
	}
	return v
}

var _ = logr.Discard

// lossyLink sits between the operator and the simulator. When armed for a
// path suffix and method, it lets the simulator act on the next such
// request and then drops the answer (the connection closes), as a network
// failure or an operator crash right after Meta acted would.
type lossyLink struct {
	next http.Handler

	mu     sync.Mutex
	method string
	suffix string
	hits   int
}

func (l *lossyLink) dropNextAnswer(method, suffix string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.method, l.suffix = method, suffix
}

func (l *lossyLink) dropped() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.hits
}

func (l *lossyLink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	drop := l.suffix != "" && r.Method == l.method && strings.HasSuffix(r.URL.Path, l.suffix)
	if drop {
		l.suffix = ""
		l.hits++
	}
	l.mu.Unlock()
	if !drop {
		l.next.ServeHTTP(w, r)
		return
	}
	l.next.ServeHTTP(httptest.NewRecorder(), r) // Meta acts; the answer is lost
	panic(http.ErrAbortHandler)
}

// requestLog records "METHOD path" of each request that writes (not GET,
// LIST or WATCH) made through the transport it wraps.
type requestLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *requestLog) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method != http.MethodGet {
			l.mu.Lock()
			l.lines = append(l.lines, r.Method+" "+r.URL.Path)
			l.mu.Unlock()
		}
		return rt.RoundTrip(r)
	})
}

// count returns how many recorded writes end with pathSuffix.
func (l *requestLog) count(pathSuffix string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range l.lines {
		if strings.HasSuffix(line, pathSuffix) {
			n++
		}
	}
	return n
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
