package webhookresources

import (
	"context"
	"os"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/testenv"
	"github.com/kubechat/whatsapp-operator/internal/workload"
)

// env is the API server every integration test in this package shares; each
// test works in its own namespace. envtest runs no controllers: no pods, no
// garbage collector, no Deployment status unless a test writes it.
var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.RunTests(m, func(e *testenv.Env) error {
		env = e
		clients = workload.Clients{Client: e.Client, Live: e.Client}
		return nil
	}))
}

// clients read and write straight through the API server: envtest's
// client has no cache, so Client and Live are the same.
var clients workload.Clients

// testOptions are the operator settings the tests apply with.
var testOptions = Options{
	Image:           "ghcr.io/kubechat/whatsapp-operator:v0.1.0",
	GraphAPIURL:     "http://graphsim.test:8080",
	GraphAPIVersion: "v25.0",
}

// newNamespace creates a namespace of its own for one test.
func newNamespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "webhookresources-"}}
	if err := env.Client.Create(context.Background(), ns); err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	return ns.Name
}

// withReplicas sets spec.webhook.replicas.
func withReplicas(n int32) func(*v1alpha1.MetaProvider) {
	return func(p *v1alpha1.MetaProvider) {
		p.Spec.Webhook = &v1alpha1.ProviderWebhook{Replicas: ptr.To(n)}
	}
}

// withRelayReplicas sets spec.relay.replicas.
func withRelayReplicas(n int32) func(*v1alpha1.MetaProvider) {
	return func(p *v1alpha1.MetaProvider) {
		p.Spec.Relay = &v1alpha1.ProviderRelay{Replicas: ptr.To(n)}
	}
}

// newProvider returns a valid MetaProvider "acme" in ns, not yet created.
func newProvider(ns string, mutate ...func(*v1alpha1.MetaProvider)) *v1alpha1.MetaProvider {
	p := &v1alpha1.MetaProvider{
		ObjectMeta: metav1.ObjectMeta{Name: "acme", Namespace: ns},
		Spec: v1alpha1.MetaProviderSpec{
			BusinessAccountID:    "102290129340398",
			CredentialsSecretRef: v1alpha1.SecretReference{Name: "acme-meta"},
		},
	}
	for _, m := range mutate {
		m(p)
	}
	return p
}

// createProvider creates a MetaProvider in the API server (owner references
// need its uid) in a namespace of its own.
func createProvider(t *testing.T, mutate ...func(*v1alpha1.MetaProvider)) *v1alpha1.MetaProvider {
	t.Helper()
	p := newProvider(newNamespace(t), mutate...)
	if err := env.Client.Create(context.Background(), p); err != nil {
		t.Fatalf("create MetaProvider: %v", err)
	}
	return p
}

// mustApply runs Apply and fails the test on error.
func mustApply(t *testing.T, p *v1alpha1.MetaProvider) Result {
	t.Helper()
	res, err := Apply(context.Background(), clients, env.Scheme, p, testOptions)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return res
}

// get reads the object of type obj named Name(p.Name) in p's namespace into
// obj.
func get(t *testing.T, p *v1alpha1.MetaProvider, obj client.Object) error {
	t.Helper()
	return env.Client.Get(context.Background(), client.ObjectKey{Namespace: p.Namespace, Name: Name(p.Name)}, obj)
}

// mustGet is get that fails the test on error.
func mustGet[T client.Object](t *testing.T, p *v1alpha1.MetaProvider, obj T) T {
	t.Helper()
	if err := get(t, p, obj); err != nil {
		t.Fatalf("get %T %s/%s: %v", obj, p.Namespace, Name(p.Name), err)
	}
	return obj
}

// updateProvider re-reads p, mutates its spec and updates it.
func updateProvider(t *testing.T, p *v1alpha1.MetaProvider, mutate func(*v1alpha1.MetaProvider)) *v1alpha1.MetaProvider {
	t.Helper()
	ctx := context.Background()
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(p), p); err != nil {
		t.Fatalf("get MetaProvider: %v", err)
	}
	mutate(p)
	if err := env.Client.Update(ctx, p); err != nil {
		t.Fatalf("update MetaProvider: %v", err)
	}
	return p
}
