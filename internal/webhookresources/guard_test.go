package webhookresources

import (
	"context"
	"errors"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubechat/whatsapp-operator/internal/workload"
)

// TestApplyRefusesObjectsItDoesNotControl puts a user's object where the
// provider's would go and checks that Apply (or ApplySecrets) stops with a
// NotControlledError naming it, and leaves it exactly as it was: no forced
// field takeover, no owner reference that would hand it to the garbage
// collector.
func TestApplyRefusesObjectsItDoesNotControl(t *testing.T) {
	ctx := context.Background()
	foreignOwner := func(ns string) []metav1.OwnerReference {
		return []metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: "team-tooling", UID: "0b5e6b1c-0000-4000-8000-000000000001", Controller: ptr.To(true)}}
	}
	cases := map[string]struct {
		reason  string
		object  func(ns string) client.Object
		secrets bool
	}{
		"UserService": {
			reason: "a Service acme-webhook a user made by hand stays theirs",
			object: func(ns string) client.Object {
				return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "acme-webhook"},
					Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "http", Port: 8000}}}}
			},
		},
		"UserRole": {
			reason: "a Role acme-webhook granting other things is not rewritten",
			object: func(ns string) client.Object {
				return &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "acme-webhook"},
					Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get"}}}}
			},
		},
		"UserDeploymentWithOurLabel": {
			reason: "a Deployment carrying the operator's label (so in its cache) but controlled by something else is refused too",
			object: func(ns string) client.Object {
				l := map[string]string{"app": "x", workload.ManagedByLabel: workload.ManagedByValue}
				return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "acme-webhook", Labels: l, OwnerReferences: foreignOwner(ns)},
					Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "x"}},
						Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "x"}},
							Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "team/app:1"}}}}}}
			},
		},
		"UserWebhookSecret": {
			reason:  "a Secret acme-webhook of the user's is not overwritten with credentials",
			secrets: true,
			object: func(ns string) client.Object {
				return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "acme-webhook"}, StringData: map[string]string{"mine": "yes"}}
			},
		},
		"UserForwardingSecret": {
			reason:  "a Secret acme-forwarding of the user's is neither read for a key nor overwritten",
			secrets: true,
			object: func(ns string) client.Object {
				return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "acme-forwarding"}, StringData: map[string]string{"forwardingKey": strings.Repeat("k", 64)}}
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := createProvider(t)
			obj := tc.object(p.Namespace)
			if err := env.Client.Create(ctx, obj); err != nil {
				t.Fatalf("create the user's object: %v", err)
			}
			before := obj.GetResourceVersion()
			var err error
			if tc.secrets {
				err = ApplySecrets(ctx, clients, env.Scheme, p, testCredentials)
			} else {
				_, err = Apply(ctx, clients, env.Scheme, p, testOptions)
			}
			var nc *workload.NotControlledError
			if !errors.As(err, &nc) || nc.Name != obj.GetName() || nc.Namespace != p.Namespace {
				t.Fatalf("%s\nerror %v, want a NotControlledError naming %s", tc.reason, err, obj.GetName())
			}
			if !strings.Contains(err.Error(), obj.GetName()) || !strings.Contains(err.Error(), "delete or rename it") {
				t.Errorf("%s\nthe message names the object and what to do: %q", tc.reason, err)
			}
			after := obj.DeepCopyObject().(client.Object)
			if err := env.Client.Get(ctx, client.ObjectKeyFromObject(obj), after); err != nil {
				t.Fatal(err)
			}
			if after.GetResourceVersion() != before {
				t.Errorf("%s\nthe user's object was modified (resourceVersion %s -> %s); owner references now %+v", tc.reason, before, after.GetResourceVersion(), after.GetOwnerReferences())
			}
		})
	}
}

// TestApplyRefusesAnotherProvidersObject: two providers cannot fight over
// one name; the object stays with the provider that controls it.
func TestApplyRefusesAnotherProvidersObject(t *testing.T) {
	ctx := context.Background()
	p := createProvider(t)
	mustApply(t, p)
	// The same provider name, another object: as after a delete and
	// re-create before the garbage collector ran.
	other := p.DeepCopy()
	other.UID = "6a3cf0d2-0000-4000-8000-000000000002"
	_, err := Apply(ctx, clients, env.Scheme, other, testOptions)
	var nc *workload.NotControlledError
	if !errors.As(err, &nc) || nc.Kind != "ServiceAccount" {
		t.Fatalf("error %v, want a NotControlledError on the first object", err)
	}
	if !strings.Contains(err.Error(), "garbage collector removes it shortly") {
		t.Errorf("the message explains an object of a deleted provider of the same name: %q", err)
	}
}
