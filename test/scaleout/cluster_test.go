package scaleout

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
	"github.com/kubechat/whatsapp-operator/internal/redistest"
	"github.com/kubechat/whatsapp-operator/internal/relayresources"
	"github.com/kubechat/whatsapp-operator/internal/testlog"
	"github.com/kubechat/whatsapp-operator/internal/testproc"
	"github.com/kubechat/whatsapp-operator/internal/webhookresources"
	"github.com/kubechat/whatsapp-operator/relay"
	"github.com/kubechat/whatsapp-operator/test/e2e"
	"github.com/kubechat/whatsapp-operator/webhookserver"
	"github.com/kubechat/whatsapp-operator/internal/kubeconfigfile"
)

const (
	// provider is the MetaProvider of the tests.
	provider = "acme"
	// replicas of the webhook server and of the relay.
	replicas = 2
	// settle bounds every wait for the cluster and the processes.
	settle = 60 * time.Second
	// opTimeout is the processes' bound of one store round trip. The
	// store is up throughout: the production 500 ms, past which an
	// operation falls back as in an outage, is set past any scheduling
	// delay of a loaded 2-core machine, so that every fallback the tests
	// count is a defect, not a slow round trip.
	opTimeout = "10s"
)

// The second number of the business, beside e2e's seeded one: its channel
// has another chatbot.
const (
	phoneNumberIDB = "106540352242923"
	displayB       = "+1 202-555-0124"
	phoneNumberB   = "+12025550124"
)

// cluster is the operator (its controllers, in the test process) with one
// provider that shares a redis-server, its webhook servers and relays as
// processes, and Meta (the simulator).
type cluster struct {
	*e2e.Stack
	ctx context.Context
	// hooks and relays are the processes' base URLs; hookMetrics and
	// relayMetrics their /metrics.
	hooks, hookMetrics   []string
	relays, relayMetrics []string
}

// workload is one kind of process the operator deploys for a provider.
type workload struct {
	// name is its Deployment's (and ServiceAccount's) name.
	name string
	// readyz is its readiness path.
	readyz string
	// flags are what running outside a pod adds to the Deployment's own
	// command line: the chatbots and the store are on this host.
	flags []string
}

// startCluster starts the operator in a fresh namespace, applies the
// provider with spec.sharedState.redis and two replicas of each
// workload, runs those replicas as processes, and waits until the
// provider is Ready.
func startCluster(t *testing.T, redisAddr string) *cluster {
	t.Helper()
	logs := &testlog.Buffer{}
	ctx := t.Context()
	s, err := e2e.Start(ctx, e2e.Options{
		Env: env, Namespace: fmt.Sprintf("scaleout-%d", rand.Uint64()%1_000_000_000),
		SharedStoreAllow: redistest.Loopback,
		Logger:           funcr.New(func(prefix, args string) { logs.WriteString(prefix + " " + args + "\n") }, funcr.Options{}),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("stop the operator: %v", err)
		}
		if t.Failed() {
			t.Logf("operator logs:\n%s", logs)
		}
	})
	c := &cluster{Stack: s, ctx: ctx}
	if _, err := s.Sim.AddPhoneNumber(e2e.WABAID, graphsim.PhoneNumber{ID: phoneNumberIDB, DisplayPhoneNumber: displayB, VerifiedName: e2e.WABAName, QualityRating: "GREEN"}); err != nil {
		t.Fatal(err)
	}
	c.create(t, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: provider + "-meta"},
		StringData: map[string]string{
			whatsappv1alpha1.SecretKeyAccessToken: e2e.AccessToken,
			whatsappv1alpha1.SecretKeyAppSecret:   e2e.AppSecret,
			whatsappv1alpha1.SecretKeyVerifyToken: e2e.VerifyToken,
		},
	})
	n := int32(replicas)
	p := &whatsappv1alpha1.MetaProvider{
		ObjectMeta: metav1.ObjectMeta{Name: provider},
		Spec: whatsappv1alpha1.MetaProviderSpec{
			BusinessAccountID:    e2e.WABAID,
			AppID:                e2e.AppID,
			CredentialsSecretRef: whatsappv1alpha1.SecretReference{Name: provider + "-meta"},
			SharedState:          &whatsappv1alpha1.SharedState{Redis: &whatsappv1alpha1.RedisStore{Address: redisAddr}},
			Webhook:              &whatsappv1alpha1.ProviderWebhook{Replicas: &n},
			Relay:                &whatsappv1alpha1.ProviderRelay{Replicas: &n},
		},
	}
	c.create(t, p)
	local := []string{"--redis-allow-loopback", "--redis-op-timeout", opTimeout}
	c.hooks, c.hookMetrics = c.run(t, workload{name: webhookresources.Name(provider), readyz: webhookserver.PathReadyz,
		flags: append([]string{"--chatbot-allow-loopback"}, local...)})
	c.relays, c.relayMetrics = c.run(t, workload{name: relayresources.Name(provider), readyz: relay.PathReadyz, flags: local})
	// There is no kubelet: the Deployments get their replicas ready once
	// the processes answer their probes.
	must(t, s.MarkWebhookReady(ctx, provider))
	must(t, s.MarkRelayReady(ctx, provider))
	must(t, s.WaitCondition(ctx, p, whatsappv1alpha1.ConditionReady, metav1.ConditionTrue, "", settle))
	return c
}

// run waits until the operator wrote w's Deployment, ServiceAccount, Role
// and RoleBinding, and runs the Deployment's command line as replicas
// processes of the binary, each with its own loopback ports and a
// kubeconfig holding only a token of that ServiceAccount. It returns the
// processes' base URLs and /metrics URLs once every one is ready.
func (c *cluster) run(t *testing.T, w workload) (urls, metricsURLs []string) {
	t.Helper()
	key := client.ObjectKey{Namespace: c.Namespace, Name: w.name}
	dep := &appsv1.Deployment{}
	must(t, e2e.Eventually(c.ctx, settle, "the operator writes Deployment, ServiceAccount and Role "+key.String(), func(ctx context.Context) (bool, error) {
		for _, obj := range []client.Object{dep, &corev1.ServiceAccount{}, &rbacv1.Role{}, &rbacv1.RoleBinding{}} {
			if err := c.Client.Get(ctx, key, obj); err != nil {
				return false, err
			}
		}
		return true, nil
	}))
	args := dep.Spec.Template.Spec.Containers[0].Args
	if !slices.Contains(args, "--redis-address") {
		t.Fatalf("Deployment %s runs %q: no --redis-address, the replicas would not share the store", key, args)
	}
	kubeconfig := filepath.Join(t.TempDir(), w.name+".kubeconfig")
	must(t, kubeconfigfile.ServiceAccount(c.ctx, env.Config, c.Namespace, w.name, kubeconfig, 2*time.Hour))
	var procs []*testproc.Process
	for i := range replicas {
		addr, metricsAddr := testproc.FreeLoopbackAddress(t), testproc.FreeLoopbackAddress(t)
		// Later flags win: the pod's ports become loopback addresses.
		full := append(append(slices.Clone(args), "--bind-address", addr, "--metrics-bind-address", metricsAddr, "--kubeconfig", kubeconfig), w.flags...)
		procs = append(procs, testproc.Start(t, fmt.Sprintf("%s-%d (%s)", w.name, i, strings.Join(full, " ")), bin, full...))
		urls = append(urls, "http://"+addr)
		metricsURLs = append(metricsURLs, "http://"+metricsAddr+"/metrics")
	}
	for i, p := range procs {
		testproc.WaitHTTP(t, p, urls[i]+w.readyz, settle)
	}
	return urls, metricsURLs
}

// readyChannel creates a channel of number phoneNumber with its chatbot
// at botURL and waits until it is Ready with phoneNumberID.
func (c *cluster) readyChannel(t *testing.T, name, phoneNumber, phoneNumberID, botURL string) {
	t.Helper()
	ch := &whatsappv1alpha1.WhatsAppChannel{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: whatsappv1alpha1.WhatsAppChannelSpec{
			ProviderRef: whatsappv1alpha1.ProviderReference{Name: provider},
			PhoneNumber: phoneNumber,
			Chatbot:     whatsappv1alpha1.ChatbotTarget{URL: botURL},
		},
	}
	c.create(t, ch)
	must(t, c.WaitCondition(c.ctx, ch, whatsappv1alpha1.ConditionReady, metav1.ConditionTrue, "", settle))
	if ch.Status.PhoneNumberID != phoneNumberID {
		t.Fatalf("channel %s is Ready with status.phoneNumberID %q, want %q", name, ch.Status.PhoneNumberID, phoneNumberID)
	}
}

// waitMetric waits until the gauge name is at least want at every one of
// the processes (the replicas learn of Ready channels through their own
// informers, a moment after the API server has them).
func waitMetric(t *testing.T, metricsURLs []string, name string, want float64) {
	t.Helper()
	for _, u := range metricsURLs {
		must(t, e2e.Eventually(t.Context(), settle, fmt.Sprintf("%s >= %v at %s", name, want, u), func(context.Context) (bool, error) {
			return value(metrics(t, u), name, nil) >= want, nil
		}))
	}
}

func (c *cluster) create(t *testing.T, obj client.Object) {
	t.Helper()
	obj.SetNamespace(c.Namespace)
	if err := c.Client.Create(c.ctx, obj); err != nil {
		t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
