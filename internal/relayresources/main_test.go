package relayresources

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

// env is the API server every integration test in this package shares;
// each test works in its own namespace. envtest runs no controllers: no
// pods, no garbage collector, no Deployment status unless a test writes it.
var (
	env     *testenv.Env
	clients workload.Clients
)

func TestMain(m *testing.M) {
	os.Exit(testenv.RunTests(m, func(e *testenv.Env) error {
		env = e
		clients = workload.Clients{Client: e.Client, Live: e.Client}
		return nil
	}))
}

var testOptions = Options{
	Image:           "ghcr.io/kubechat/whatsapp-operator:v0.1.0",
	GraphAPIURL:     "http://graphsim.test:8080",
	GraphAPIVersion: "v25.0",
}

// withRelay sets spec.relay.
func withRelay(replicas int32, allowed ...string) func(*v1alpha1.MetaProvider) {
	return func(p *v1alpha1.MetaProvider) {
		p.Spec.Relay = &v1alpha1.ProviderRelay{Replicas: ptr.To(replicas), AllowedNamespaces: allowed}
	}
}

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

// createProvider creates a MetaProvider in a namespace of its own.
func createProvider(t *testing.T, mutate ...func(*v1alpha1.MetaProvider)) *v1alpha1.MetaProvider {
	t.Helper()
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "relayresources-"}}
	if err := env.Client.Create(ctx, ns); err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	p := newProvider(ns.Name, mutate...)
	if err := env.Client.Create(ctx, p); err != nil {
		t.Fatalf("create MetaProvider: %v", err)
	}
	return p
}

func mustApply(t *testing.T, p *v1alpha1.MetaProvider) Result {
	t.Helper()
	res, err := Apply(context.Background(), clients, env.Scheme, p, testOptions)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return res
}

// get reads the relay object of obj's type of p.
func get(p *v1alpha1.MetaProvider, obj client.Object) error {
	return env.Client.Get(context.Background(), client.ObjectKey{Namespace: p.Namespace, Name: Name(p.Name)}, obj)
}

// desiredOf returns the object of type T among Desired(p, testOptions).
func desiredOf[T client.Object](t *testing.T, p *v1alpha1.MetaProvider) T {
	t.Helper()
	for _, o := range Desired(p, testOptions) {
		if typed, ok := o.(T); ok {
			return typed
		}
	}
	var zero T
	t.Fatalf("Desired has no %T", zero)
	return zero
}
