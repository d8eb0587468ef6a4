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

// TestApplyAsOperator runs Apply as a user holding only the markers of
// RBAC-NOTES.md, so that the API server's RBAC escalation check on the Role
// and RoleBinding is exercised for real.
func TestApplyAsOperator(t *testing.T) {
	cases := map[string]struct {
		reason    string
		user      string
		skip      string
		forbidden bool
	}{
		"MarkersSuffice": {
			reason: "the operator with exactly the documented permissions can create and update everything, PDB deletion included",
			user:   "operator-documented",
		},
		"GrantNotHeld": {
			reason:    "without endpointslices the operator may not grant them: the Role is refused (the check is real)",
			user:      "operator-without-endpointslices",
			skip:      "endpointslices",
			forbidden: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := asUser(t, tc.user, operatorRules(t, tc.skip))
			p := createProvider(t, withReplicas(2))
			_, err := Apply(context.Background(), c, env.Scheme, p, testOptions)
			if tc.forbidden {
				if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "attempting to grant RBAC permissions not currently held") {
					t.Fatalf("%s\nApply error %v, want Forbidden by the escalation check", tc.reason, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s\nfirst Apply: %v", tc.reason, err)
			}
			p = updateProvider(t, p, withReplicas(1))
			if _, err := Apply(context.Background(), c, env.Scheme, p, testOptions); err != nil {
				t.Fatalf("%s\nscale-down Apply: %v", tc.reason, err)
			}
		})
	}
}
