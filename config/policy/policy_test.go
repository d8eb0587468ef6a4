// Package policy tests the admission policies in config/policy on a real
// API server.
package policy

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/testenv"
)

const ns = "support"

func TestWebhookServerMayOnlyRequestAResync(t *testing.T) {
	env, err := testenv.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = env.Stop() }()
	ctx := context.Background()
	admin := env.Client

	raw, err := os.ReadFile("webhook-server-annotation-only.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range strings.Split(string(raw), "\n---\n") {
		obj := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &obj.Object); err != nil {
			t.Fatal(err)
		}
		if err := admin.Create(ctx, obj); err != nil {
			t.Fatalf("create %s: %v", obj.GetKind(), err)
		}
	}
	must(t, admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}))
	// The webhook server's ServiceAccount (<provider>-webhook) and another
	// one, both allowed by RBAC to patch channels.
	must(t, admin.Create(ctx, &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "patch-channels", Namespace: ns},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{"whatsapp.kubechat.io"}, Resources: []string{"whatsappchannels"}, Verbs: []string{"get", "patch"}}},
	}))
	for _, sa := range []string{"acme-webhook", "deployer"} {
		must(t, admin.Create(ctx, &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: sa, Namespace: ns},
			RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "patch-channels"},
			Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa, Namespace: ns}},
		}))
	}
	ch := &whatsappv1alpha1.WhatsAppChannel{
		ObjectMeta: metav1.ObjectMeta{Name: "support-us", Namespace: ns, Labels: map[string]string{"team": "support"}},
		Spec: whatsappv1alpha1.WhatsAppChannelSpec{
			ProviderRef: whatsappv1alpha1.ProviderReference{Name: "acme"},
			PhoneNumber: "+12025550123",
			Chatbot:     whatsappv1alpha1.ChatbotTarget{URL: "https://bot.example.com/whatsapp"},
		},
	}
	must(t, admin.Create(ctx, ch))

	as := func(sa string) client.Client {
		cfg := rest.CopyConfig(env.Config)
		cfg.Impersonate = rest.ImpersonationConfig{
			UserName: fmt.Sprintf("system:serviceaccount:%s:%s", ns, sa),
			Groups:   []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"},
		}
		c, err := client.New(cfg, client.Options{Scheme: env.Scheme})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	merge := func(c client.Client, patch string) error {
		obj := &whatsappv1alpha1.WhatsAppChannel{ObjectMeta: metav1.ObjectMeta{Name: ch.Name, Namespace: ns}}
		return c.Patch(ctx, obj, client.RawPatch("application/merge-patch+json", []byte(patch)))
	}
	webhook := as("acme-webhook")
	redirect := `{"spec":{"chatbot":{"url":"https://attacker.example/steal"}}}`

	// The policy takes effect once the API server has loaded it.
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := merge(webhook, redirect)
		if err != nil && strings.Contains(err.Error(), "may not change spec") {
			break
		}
		if err == nil {
			// Not active yet: undo, as an administrator, and try again.
			must(t, merge(admin, `{"spec":{"chatbot":{"url":"https://bot.example.com/whatsapp"}}}`))
		}
		if time.Now().After(deadline) {
			t.Fatalf("the webhook server's ServiceAccount can still redirect the chatbot: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}

	cases := map[string]struct {
		reason string
		client client.Client
		patch  string
		denied string // substring of the refusal, or "" when allowed
	}{
		"request a re-sync": {
			reason: "the one change the webhook server needs",
			client: webhook,
			patch:  fmt.Sprintf(`{"metadata":{"annotations":{%q:"2026-11-22T10:00:00Z"}}}`, whatsappv1alpha1.ReconcileRequestAnnotation),
		},
		"relabel": {
			reason: "labels select channels elsewhere",
			client: webhook, patch: `{"metadata":{"labels":{"team":"attacker"}}}`,
			denied: "may not change labels",
		},
		"other annotation": {
			reason: "annotations drive other tools",
			client: webhook, patch: `{"metadata":{"annotations":{"argocd.argoproj.io/sync-options":"Prune=false"}}}`,
			denied: "may only set the reconcile-requested-at annotation",
		},
		"finalizer": {
			reason: "a finalizer could block deletion",
			client: webhook, patch: `{"metadata":{"finalizers":["example.com/block"]}}`,
			denied: "may not change finalizers",
		},
		"another ServiceAccount": {
			reason: "the policy restricts only webhook servers; RBAC governs the rest",
			client: as("deployer"), patch: `{"spec":{"chatbot":{"path":"/v2"}}}`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := merge(tc.client, tc.patch)
			switch {
			case tc.denied == "" && err != nil:
				t.Errorf("refused (%s): %v", tc.reason, err)
			case tc.denied != "" && (err == nil || !strings.Contains(err.Error(), tc.denied)):
				t.Errorf("want refusal %q (%s), got %v", tc.denied, tc.reason, err)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
