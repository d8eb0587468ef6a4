package webhookresources

import (
	"bufio"
	"context"
	"os"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/relayresources"
	"github.com/kubechat/whatsapp-operator/internal/workload"
)

const rbacMarkerPrefix = "// +kubebuilder:rbac:"

// operatorRules reads the kubebuilder RBAC markers in RBAC-NOTES.md as
// controller-gen would turn them into ClusterRole rules, leaving out any
// marker containing skip.
func operatorRules(t *testing.T, skip string) []rbacv1.PolicyRule {
	t.Helper()
	f, err := os.Open("RBAC-NOTES.md")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	var rules []rbacv1.PolicyRule
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, rbacMarkerPrefix) || (skip != "" && strings.Contains(line, skip)) {
			continue
		}
		var rule rbacv1.PolicyRule
		for _, kv := range strings.Split(strings.TrimPrefix(line, rbacMarkerPrefix), ",") {
			k, v, _ := strings.Cut(kv, "=")
			values := strings.Split(v, ";")
			switch k {
			case "groups":
				for i, g := range values {
					if g == "core" {
						values[i] = ""
					}
				}
				rule.APIGroups = values
			case "resources":
				rule.Resources = values
			case "verbs":
				rule.Verbs = values
			default:
				t.Fatalf("unexpected marker key %q in %q", k, line)
			}
		}
		rules = append(rules, rule)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rules) == 0 {
		t.Fatal("no RBAC markers in RBAC-NOTES.md")
	}
	return rules
}

// asUser returns a client that impersonates user, who holds exactly rules
// cluster-wide (as the operator's ClusterRole would grant them).
func asUser(t *testing.T, user string, rules []rbacv1.PolicyRule) client.Client {
	t.Helper()
	ctx := context.Background()
	cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: user}, Rules: rules}
	crb := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: user},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: user}},
	}
	for _, o := range []client.Object{cr, crb} {
		if err := env.Client.Create(ctx, o); err != nil {
			t.Fatalf("create %T: %v", o, err)
		}
	}
	t.Cleanup(func() {
		_ = env.Client.Delete(ctx, crb)
		_ = env.Client.Delete(ctx, cr)
	})
	cfg := rest.CopyConfig(env.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user}
	c, err := client.New(cfg, client.Options{Scheme: env.Scheme})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestApplyAsOperator runs Apply, ApplySecrets and the relay's Apply as a
// user holding only the markers of RBAC-NOTES.md, so that the API server's
// RBAC escalation check on both Roles and RoleBindings, and the Secret
// writes, are exercised for real.
func TestApplyAsOperator(t *testing.T) {
	cases := map[string]struct {
		reason    string
		user      string
		skip      string
		forbidden string // the step refused, "" for none
		message   string
	}{
		"MarkersSuffice": {
			reason: "the operator with exactly the documented permissions can create and update everything, PDB deletion and both workloads included",
			user:   "operator-documented",
		},
		"GrantNotHeld": {
			reason:    "without endpointslices the operator may not grant them: the webhook Role is refused (the check is real)",
			user:      "operator-without-endpointslices",
			skip:      "endpointslices",
			forbidden: "webhook",
			message:   "attempting to grant RBAC permissions not currently held",
		},
		"NoSecretWrites": {
			reason:    "without create and patch on Secrets the derived Secrets cannot be written",
			user:      "operator-without-secret-writes",
			skip:      "resources=secrets,verbs=create",
			forbidden: "secrets",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			c := asUser(t, tc.user, operatorRules(t, tc.skip))
			as := workload.Clients{Client: c, Live: c}
			p := createProvider(t, withReplicas(2), withRelayReplicas(2))
			steps := []struct {
				name string
				run  func() error
			}{
				{"webhook", func() error { _, err := Apply(ctx, as, env.Scheme, p, testOptions); return err }},
				{"secrets", func() error { return ApplySecrets(ctx, as, env.Scheme, p, testCredentials) }},
				{"relay", func() error { _, err := relayresources.Apply(ctx, as, env.Scheme, p, testOptions); return err }},
			}
			for _, step := range steps {
				err := step.run()
				if step.name == tc.forbidden {
					if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), tc.message) {
						t.Fatalf("%s\n%s: error %v, want Forbidden", tc.reason, step.name, err)
					}
					return
				}
				if err != nil {
					t.Fatalf("%s\n%s: %v", tc.reason, step.name, err)
				}
			}
			p = updateProvider(t, p, func(p *v1alpha1.MetaProvider) { withReplicas(1)(p); withRelayReplicas(1)(p) })
			if _, err := Apply(ctx, as, env.Scheme, p, testOptions); err != nil {
				t.Fatalf("%s\nscale-down Apply: %v", tc.reason, err)
			}
			if _, err := relayresources.Apply(ctx, as, env.Scheme, p, testOptions); err != nil {
				t.Fatalf("%s\nrelay scale-down Apply: %v", tc.reason, err)
			}
		})
	}
}
