package webhookserver

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/redistest"
	"github.com/kubechat/whatsapp-operator/internal/testenv"
	"github.com/kubechat/whatsapp-operator/internal/testlog"
	"github.com/kubechat/whatsapp-operator/internal/testwait"
	"github.com/kubechat/whatsapp-operator/internal/webhookresources"
)

// The API server is started on first use, so that unit tests and fuzz
// workers of this package do not pay for it, and stopped by TestMain.
var (
	envOnce   sync.Once
	sharedEnv *testenv.Env
	envErr    error
)

func TestMain(m *testing.M) {
	code := m.Run()
	redistest.StopShared()
	if sharedEnv != nil {
		if err := sharedEnv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stop envtest:", err)
		}
	}
	os.Exit(code)
}

// kube returns the shared API server, starting it if needed.
func kube(t *testing.T) *testenv.Env {
	t.Helper()
	envOnce.Do(func() { sharedEnv, envErr = testenv.Start() })
	if envErr != nil {
		t.Fatalf("envtest: %v", envErr)
	}
	return sharedEnv
}

// webhookServerRole is the Role the operator gives the webhook server's
// ServiceAccount (webhookresources builds it; doc.go documents it); every
// envtest test runs the server with only this Role.
func webhookServerRole(t *testing.T, provider *whatsappv1alpha1.MetaProvider) *rbacv1.Role {
	t.Helper()
	for _, o := range webhookresources.Desired(provider, webhookresources.Options{Image: "webhook-server:test"}) {
		if managed, ok := o.(*rbacv1.Role); ok {
			return &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: provider.Namespace, Name: "webhook-server"}, Rules: managed.Rules}
		}
	}
	t.Fatal("webhookresources.Desired has no Role")
	return nil
}

// harness is one Run against envtest, in its own namespace, as the
// webhook server's ServiceAccount (impersonated) with only its Role.
type harness struct {
	t      *testing.T
	c      client.Client
	ns     string
	url    string
	logs   *testlog.Buffer
	reg    *prometheus.Registry
	cancel context.CancelFunc
	done   chan error
}

var nsCounter struct {
	sync.Mutex
	n int
}

// startHarness creates a namespace with the provider, its Secret and the
// Role, runs the server and waits until it is ready.
func startHarness(t *testing.T, mutate func(*Options)) *harness {
	t.Helper()
	env := kube(t)
	nsCounter.Lock()
	nsCounter.n++
	ns := fmt.Sprintf("wh-%d-%d", os.Getpid()%10000, nsCounter.n)
	nsCounter.Unlock()
	ctx := context.Background()
	c := env.Client
	must(t, c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}))
	// The credentials Secret, with the access token, which the server's
	// Role does not let it read, and the webhook Secret the operator
	// derives from it, which the server reads.
	must(t, c.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "acme-meta"}, StringData: map[string]string{
		whatsappv1alpha1.SecretKeyAppSecret:   testAppSecret,
		whatsappv1alpha1.SecretKeyVerifyToken: testVerifyToken,
		whatsappv1alpha1.SecretKeyAccessToken: testAccessToken,
	}}))
	must(t, c.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: whatsappv1alpha1.WebhookSecretName(testProvider)}, StringData: map[string]string{
		whatsappv1alpha1.SecretKeyAppSecret:     testAppSecret,
		whatsappv1alpha1.SecretKeyVerifyToken:   testVerifyToken,
		whatsappv1alpha1.SecretKeyForwardingKey: testForwardingKey,
	}}))
	// Another Secret the server must never read.
	must(t, c.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "unrelated"}, StringData: map[string]string{"k": "v"}}))
	provider := testProviderObject()
	provider.Namespace = ns
	must(t, c.Create(ctx, provider))
	must(t, c.Create(ctx, webhookServerRole(t, provider)))
	must(t, c.Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "webhook-server"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "webhook-server"},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Namespace: ns, Name: "webhook-server"}},
	}))

	cfg := rest.CopyConfig(env.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:" + ns + ":webhook-server"}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	log, logs := testlog.JSONLogger()
	h := &harness{t: t, c: c, ns: ns, url: "http://" + l.Addr().String(), logs: logs, reg: prometheus.NewRegistry(), done: make(chan error, 1)}
	opts := Options{
		ProviderNamespace: ns, ProviderName: testProvider,
		RestConfig: cfg, Listener: l, Logger: log, Registry: h.reg,
		DialContext: loopbackDialer(nil),
	}
	if mutate != nil {
		mutate(&opts)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- Run(runCtx, opts) }()
	t.Cleanup(func() { h.stop() })
	testwait.Until(t, 20*time.Second, "the server becomes ready", func() bool {
		resp, err := http.Get(h.url + PathReadyz)
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return h
}

// stop cancels Run and waits for it (idempotent).
func (h *harness) stop() error {
	h.cancel()
	select {
	case err, ok := <-h.done:
		if ok {
			close(h.done)
		}
		return err
	case <-time.After(30 * time.Second):
		h.t.Error("Run did not return after cancellation")
		return nil
	}
}

// createChannel creates a channel and writes its status (as the controller would).
func (h *harness) createChannel(name, phone, pnid string, bot whatsappv1alpha1.ChatbotTarget) {
	h.t.Helper()
	ch := newChannel(name, phone, "", bot)
	ch.Namespace = h.ns
	must(h.t, h.c.Create(context.Background(), &ch))
	if pnid != "" {
		ch.Status.PhoneNumberID = pnid
		ch.Status.DisplayPhoneNumber = phone
		must(h.t, h.c.Status().Update(context.Background(), &ch))
	}
}

// must fails the test on an error.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// secretsIn returns which of the test credentials appear in s.
func secretsIn(s string) []string {
	var leaked []string
	for _, v := range []string{testAppSecret, testVerifyToken, testAccessToken, testForwardingKey} {
		if strings.Contains(s, v) {
			leaked = append(leaked, v)
		}
	}
	return leaked
}
