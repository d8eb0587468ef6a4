package controllers_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/yaml"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/controllers"
	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
	"github.com/kubechat/whatsapp-operator/internal/relayresources"
	"github.com/kubechat/whatsapp-operator/internal/testlog"
	"github.com/kubechat/whatsapp-operator/internal/webhookresources"
)

// TestWatchNamespacesReconcilesOnlyThoseWithRolesOnly runs the operator as
// the namespace-scoped install does: --watch-namespaces a,b, as a
// ServiceAccount that holds config/rbac/role.yaml's rules through
// RoleBindings in a and b only (the chart's watchNamespaces renders exactly
// that). Providers in a and b are reconciled, including the webhook
// server's Role the operator may only create because it holds those rights
// itself; a provider in a third namespace is never touched, and no request
// the operator makes is forbidden.
func TestWatchNamespacesReconcilesOnlyThoseWithRolesOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := env.Client
	suffix := rand.Uint64() % 1_000_000_000
	nsOps, nsA, nsB, nsOther := fmt.Sprintf("ops-%d", suffix), fmt.Sprintf("a-%d", suffix), fmt.Sprintf("b-%d", suffix), fmt.Sprintf("other-%d", suffix)
	for _, ns := range []string{nsOps, nsA, nsB, nsOther} {
		mustDo(t, admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}))
	}
	mustDo(t, admin.Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "operator", Namespace: nsOps}}))
	rules := managerRules(t)
	for _, ns := range []string{nsA, nsB} {
		mustDo(t, admin.Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "manager-role", Namespace: ns}, Rules: rules}))
		mustDo(t, admin.Create(ctx, &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "manager-rolebinding", Namespace: ns},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "manager-role"},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "operator", Namespace: nsOps}},
		}))
	}
	cfg := rest.CopyConfig(env.Config)
	cfg.Impersonate = rest.ImpersonationConfig{
		UserName: "system:serviceaccount:" + nsOps + ":operator",
		Groups:   []string{"system:serviceaccounts", "system:serviceaccounts:" + nsOps, "system:authenticated"},
	}
	// The RBAC really is namespaced: the operator's identity cannot list
	// providers cluster-wide, so everything below works through the
	// per-namespace caches alone.
	asOperator, err := client.New(cfg, client.Options{Scheme: env.Scheme})
	mustDo(t, err)
	if err := asOperator.List(ctx, &whatsappv1alpha1.MetaProviderList{}); !apierrors.IsForbidden(err) {
		t.Fatalf("the scoped identity can list MetaProviders cluster-wide (err %v): the test would prove nothing", err)
	}

	sim := graphsim.New(graphsim.Options{})
	srv := httptest.NewServer(sim)
	t.Cleanup(func() { srv.Close(); sim.Close() })
	token := fmt.Sprintf("EAAG-scoped-%d", rand.Uint64())
	sim.AddApp(graphsim.App{ID: appID, Name: "Acme Bot App", Secret: appSecret})
	sim.AddWABA(graphsim.WABA{ID: wabaID, Name: wabaName})
	sim.AddToken(graphsim.Token{Value: token, AppID: appID})

	logs := &testlog.Buffer{}
	logger := funcr.New(func(prefix, args string) { logs.WriteString(prefix + " " + args + "\n") }, funcr.Options{})
	namespaces, err := controllers.ParseWatchNamespaces(nsB + ", " + nsA)
	mustDo(t, err)
	skip := true
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme: env.Scheme, Logger: logger,
		Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		Controller: config.Controller{SkipNameValidation: &skip},
		Cache:      controllers.CacheOptions(namespaces),
	})
	mustDo(t, err)
	mustDo(t, controllers.Setup(mgr, controllers.Options{
		Graph:       graph.NewFactory(graph.Config{BaseURL: srv.URL, HTTPClient: &http.Client{Timeout: 5 * time.Second}, Logger: logger}),
		GraphAPIURL: srv.URL, GraphAPIVersion: "v25.0", WebhookImage: "whatsapp-operator:test",
	}))

	// The provider outside the watched namespaces exists before the
	// operator starts, so it would be among the first things it saw.
	provider := func(ns string) *whatsappv1alpha1.MetaProvider {
		mustDo(t, admin.Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "acme-meta", Namespace: ns},
			StringData: map[string]string{"accessToken": token, "appSecret": appSecret, "verifyToken": "verify"},
		}))
		p := &whatsappv1alpha1.MetaProvider{
			ObjectMeta: metav1.ObjectMeta{Name: "acme", Namespace: ns},
			Spec: whatsappv1alpha1.MetaProviderSpec{
				BusinessAccountID: wabaID, AppID: appID,
				CredentialsSecretRef: whatsappv1alpha1.SecretReference{Name: "acme-meta"},
			},
		}
		mustDo(t, admin.Create(ctx, p))
		return p
	}
	other := provider(nsOther)

	mctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- mgr.Start(mctx) }()
	t.Cleanup(func() {
		cancel()
		// A manager whose caches never synced (forbidden lists) may not
		// stop: fail instead of hanging the package until its timeout.
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("manager: %v", err)
			}
		case <-time.After(45 * time.Second):
			t.Error("the manager did not stop within 45s of its context ending")
		}
	})

	for _, ns := range []string{nsA, nsB} {
		p := provider(ns)
		markReady := func(name string) func() bool {
			return func() bool {
				d := &appsv1.Deployment{}
				if admin.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, d) != nil {
					return false
				}
				patch := client.MergeFrom(d.DeepCopy())
				d.Status.Replicas, d.Status.ReadyReplicas, d.Status.AvailableReplicas, d.Status.UpdatedReplicas = 1, 1, 1, 1
				d.Status.ObservedGeneration = d.Generation
				return admin.Status().Patch(ctx, d, patch) == nil
			}
		}
		pollUntil(t, "the operator creates the webhook Deployment in "+ns+" (it may: its Role there holds what the webhook Role grants)", markReady(webhookresources.Name("acme")))
		pollUntil(t, "the operator creates the relay Deployment in "+ns+" (and the relay's Role)", markReady(relayresources.Name("acme")))
		pollUntil(t, "the provider in "+ns+" is Ready", func() bool {
			if admin.Get(ctx, client.ObjectKeyFromObject(p), p) != nil {
				return false
			}
			c := condition(p, "Ready")
			return c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == p.Generation
		})
	}

	// Both watched namespaces were reconciled after the other provider
	// existed; it is untouched.
	mustDo(t, admin.Get(ctx, client.ObjectKeyFromObject(other), other))
	if len(other.Status.Conditions) != 0 || len(other.Finalizers) != 0 {
		t.Errorf("the provider in the unwatched namespace was reconciled: finalizers %v, conditions %s", other.Finalizers, describeConditions(other.Status.Conditions))
	}
	var deps appsv1.DeploymentList
	mustDo(t, admin.List(ctx, &deps, client.InNamespace(nsOther)))
	if len(deps.Items) != 0 {
		t.Errorf("the operator created %d Deployments in the unwatched namespace", len(deps.Items))
	}
	var cached whatsappv1alpha1.MetaProviderList
	mustDo(t, mgr.GetCache().List(ctx, &cached))
	for _, p := range cached.Items {
		if p.Namespace != nsA && p.Namespace != nsB {
			t.Errorf("the operator's cache holds %s/%s", p.Namespace, p.Name)
		}
	}
	if len(cached.Items) != 2 {
		t.Errorf("the operator's cache holds %d providers, want the 2 of the watched namespaces", len(cached.Items))
	}
	if l := logs.String(); strings.Contains(strings.ToLower(l), "forbidden") {
		t.Errorf("the scoped operator made requests its Roles do not allow:\n%s", l)
	}
}

// managerRules are the operator's rules as controller-gen wrote them.
func managerRules(t *testing.T) []rbacv1.PolicyRule {
	t.Helper()
	raw, err := os.ReadFile("../config/rbac/role.yaml")
	mustDo(t, err)
	var role rbacv1.ClusterRole
	mustDo(t, yaml.Unmarshal(raw, &role))
	if len(role.Rules) == 0 {
		t.Fatal("config/rbac/role.yaml has no rules")
	}
	return role.Rules
}

func pollUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
