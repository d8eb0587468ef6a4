// Package policy tests the admission policies in config/policy on a real
// API server: each policy is installed as the YAML in this directory says
// and requests are made as the identities it restricts (impersonated).
package policy

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/kubechat/whatsapp-operator/internal/testenv"
)

// env is the API server the tests of this package share; each test works
// in namespaces of its own.
var env *testenv.Env

// installed are the kinds of config/default's output the tests install:
// the admission policies, their bindings and params, and the operator's
// ClusterRole (to act as the operator with exactly its rights).
var installed = map[string]bool{
	"ValidatingAdmissionPolicy":        true,
	"ValidatingAdmissionPolicyBinding": true,
	"ConfigMap":                        true,
	"ClusterRole":                      true,
}

// rendered is config/default as kustomize renders it for
// `kubectl apply -k config/default`.
var rendered []*unstructured.Unstructured

func TestMain(m *testing.M) {
	os.Exit(testenv.RunTests(m, func(e *testenv.Env) error {
		env = e
		out, err := env.Kubectl("kustomize", "../default")
		if err != nil {
			return err
		}
		if rendered, err = docs([]byte(out)); err != nil {
			return fmt.Errorf("config/default: %w", err)
		}
		ctx := context.Background()
		for _, obj := range rendered {
			if obj.GetKind() == "Namespace" || !installed[obj.GetKind()] {
				continue
			}
			if obj.GetKind() == "ConfigMap" {
				ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: obj.GetNamespace()}}
				if err := env.Client.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
					return err
				}
			}
			if err := env.Client.Create(ctx, obj); err != nil {
				return fmt.Errorf("create %s %s: %w", obj.GetKind(), obj.GetName(), err)
			}
		}
		return nil
	}))
}

// renderedObject returns the object of config/default's output with kind
// whose name ends with name (kustomize prefixes names).
func renderedObject(t *testing.T, kind, name string) *unstructured.Unstructured {
	t.Helper()
	for _, obj := range rendered {
		if obj.GetKind() == kind && strings.HasSuffix(obj.GetName(), name) {
			return obj
		}
	}
	t.Fatalf("config/default renders no %s *%s", kind, name)
	return nil
}

// docs splits a multi-document YAML into objects.
func docs(raw []byte) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(raw), -1) {
		obj := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &obj.Object); err != nil {
			return nil, err
		}
		if len(obj.Object) > 0 {
			out = append(out, obj)
		}
	}
	return out, nil
}

// newNamespace creates a namespace named after prefix.
func newNamespace(t *testing.T, prefix string) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix + "-"}}
	must(t, env.Client.Create(context.Background(), ns))
	return ns.Name
}

// serviceAccountUser is the user name of a ServiceAccount's tokens.
func serviceAccountUser(ns, name string) string {
	return fmt.Sprintf("system:serviceaccount:%s:%s", ns, name)
}

// as returns a client acting as the ServiceAccount ns/name.
func as(t *testing.T, ns, name string) client.Client {
	t.Helper()
	cfg := rest.CopyConfig(env.Config)
	cfg.Impersonate = rest.ImpersonationConfig{
		UserName: serviceAccountUser(ns, name),
		Groups:   []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"},
	}
	c, err := client.New(cfg, client.Options{Scheme: env.Scheme})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// grant binds a Role with rules to the ServiceAccount ns/sa.
func grant(t *testing.T, ns, sa, name string, rules ...rbacv1.PolicyRule) {
	t.Helper()
	ctx := context.Background()
	must(t, env.Client.Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Rules: rules}))
	must(t, env.Client.Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: name},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa, Namespace: ns}},
	}))
}

// waitDenied retries try until the API server refuses it with a message
// containing denied: a policy takes effect once the API server has loaded
// it (and its params). undo reverts a try that was let through.
func waitDenied(t *testing.T, what, denied string, try func() error, undo func()) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := try()
		if err != nil && strings.Contains(err.Error(), denied) {
			return
		}
		if err == nil && undo != nil {
			undo()
		}
		if time.Now().After(deadline) {
			t.Fatalf("the policy never refused %s: last answer %v", what, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
