package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/testenv"
)

// One API server for the package; every test runs its own Stack in its own
// namespace, so tests run in parallel.
var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.RunTests(m, func(e *testenv.Env) error { env = e; return nil }))
}

// provider is the MetaProvider every test creates.
const provider = "acme"

// settle is how long a test waits for the operator to settle; the claims
// about speed have their own, shorter deadlines.
const settle = 20 * time.Second

// testStack is a Stack with the testing.T helpers the scenarios use.
type testStack struct {
	*Stack
	t   *testing.T
	ctx context.Context
}

// newStack starts a Stack in a fresh namespace; its logs are printed if
// the test fails.
func newStack(t *testing.T, opts Options) *testStack {
	t.Helper()
	logs := &logBuffer{}
	opts.Env = env
	opts.Namespace = fmt.Sprintf("e2e-%d", rand.Uint64()%1_000_000_000)
	opts.Logger = funcr.New(func(prefix, args string) { logs.add(prefix + " " + args) }, funcr.Options{Verbosity: 1})
	ctx := t.Context()
	s, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("stop the stack: %v", err)
		}
		if t.Failed() {
			t.Logf("logs of the operator and the webhook server:\n%s", logs)
		}
	})
	return &testStack{Stack: s, t: t, ctx: ctx}
}

// must fails the test on err.
func (s *testStack) must(err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatal(err)
	}
}

// readyProvider does what a user and the cluster do for a provider: the
// user applies the Secret and the MetaProvider; the operator deploys the
// webhook server and the relay, which start and become ready; the
// provider is Ready.
func (s *testStack) readyProvider(mutate ...func(*whatsappv1alpha1.MetaProvider)) *whatsappv1alpha1.MetaProvider {
	s.t.Helper()
	s.create(&corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: provider + "-meta"},
		StringData: map[string]string{
			whatsappv1alpha1.SecretKeyAccessToken: AccessToken,
			whatsappv1alpha1.SecretKeyAppSecret:   AppSecret,
			whatsappv1alpha1.SecretKeyVerifyToken: VerifyToken,
		},
	})
	p := &whatsappv1alpha1.MetaProvider{
		ObjectMeta: metav1.ObjectMeta{Name: provider},
		Spec: whatsappv1alpha1.MetaProviderSpec{
			BusinessAccountID:    WABAID,
			AppID:                AppID,
			CredentialsSecretRef: whatsappv1alpha1.SecretReference{Name: provider + "-meta"},
		},
	}
	for _, m := range mutate {
		m(p)
	}
	s.create(p)
	s.must(s.StartWebhookServer(s.ctx, provider))
	s.must(s.StartRelay(s.ctx, provider))
	s.must(s.MarkWebhookReady(s.ctx, provider))
	s.must(s.MarkRelayReady(s.ctx, provider))
	s.must(s.WaitCondition(s.ctx, p, whatsappv1alpha1.ConditionReady, metav1.ConditionTrue, "", settle))
	return p
}

// readyChannel creates a WhatsAppChannel for the seeded number with its
// chatbot at botURL and waits until it is Ready.
func (s *testStack) readyChannel(name, botURL string) *whatsappv1alpha1.WhatsAppChannel {
	s.t.Helper()
	ch := &whatsappv1alpha1.WhatsAppChannel{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: whatsappv1alpha1.WhatsAppChannelSpec{
			ProviderRef: whatsappv1alpha1.ProviderReference{Name: provider},
			PhoneNumber: PhoneNumber,
			Chatbot:     whatsappv1alpha1.ChatbotTarget{URL: botURL},
		},
	}
	s.create(ch)
	s.must(s.WaitCondition(s.ctx, ch, whatsappv1alpha1.ConditionReady, metav1.ConditionTrue, "", settle))
	if ch.Status.PhoneNumberID != PhoneNumberID {
		s.t.Fatalf("channel %s is Ready with status.phoneNumberID %q, want %q", name, ch.Status.PhoneNumberID, PhoneNumberID)
	}
	s.waitRouted()
	return ch
}

// waitRouted waits until the webhook server routes a number. A channel's
// Ready is read from the API server; the webhook server learns of it
// through its own informer a moment later and answers 503 (Meta retries)
// until then. Wait for its route table, not for luck.
func (s *testStack) waitRouted() {
	s.t.Helper()
	s.must(Eventually(s.ctx, settle, "the webhook server routes "+PhoneNumberID, func(context.Context) (bool, error) {
		return s.gauge("whatsapp_webhook_routes") >= 1, nil
	}))
}

// gauge reads a gauge without labels from the webhook server's registry.
func (s *testStack) gauge(name string) float64 {
	s.t.Helper()
	families, err := s.WebhookMetrics.Gather()
	s.must(err)
	for _, f := range families {
		if f.GetName() == name && len(f.GetMetric()) == 1 {
			return f.GetMetric()[0].GetGauge().GetValue()
		}
	}
	return 0
}

func (s *testStack) create(obj client.Object) {
	s.t.Helper()
	obj.SetNamespace(s.Namespace)
	if err := s.Client.Create(s.ctx, obj); err != nil {
		s.t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
}

// logBuffer collects log lines from many goroutines.
type logBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (b *logBuffer) add(line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, line)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(b.lines, "\n")
}
