package policy

import (
	"context"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/relayresources"
	"github.com/kubechat/whatsapp-operator/internal/webhookresources"
	"github.com/kubechat/whatsapp-operator/internal/workload"
)

// The operator, acting as its ServiceAccount with its ClusterRole as
// config/default installs them, writes its own objects (written here by
// its own code, webhookresources.Apply) and nothing else: whoever steals its
// token cannot run another image or ServiceAccount, mint a token, bind
// another subject, expose a LoadBalancer or take over a user's object.
// Others are not restricted by this policy.
func TestOperatorWritesOnlyItsOwnObjects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := env.Client

	// What config/default wires together: the params name the manager's
	// ServiceAccount and image.
	params := renderedObject(t, "ConfigMap", "operator-policy-params")
	sa := renderedObject(t, "ServiceAccount", "controller-manager")
	manager := renderedObject(t, "Deployment", "controller-manager")
	image, _, _ := unstructured.NestedString(params.Object, "data", "webhookImage")
	if relay, _, _ := unstructured.NestedString(params.Object, "data", "relayImage"); relay != image {
		t.Fatalf("the params allow the relay %q and the webhook server %q; the kustomize install runs the operator's image for both", relay, image)
	}
	user, _, _ := unstructured.NestedString(params.Object, "data", "serviceAccount")
	if want := serviceAccountUser(sa.GetNamespace(), sa.GetName()); user != want {
		t.Fatalf("the policy's params name %q, the operator runs as %q", user, want)
	}
	containers, _, _ := unstructured.NestedSlice(manager.Object, "spec", "template", "spec", "containers")
	if got := containers[0].(map[string]any)["image"]; got != image {
		t.Fatalf("the policy's params allow image %q, the operator runs %v", image, got)
	}
	binding := renderedObject(t, "ValidatingAdmissionPolicyBinding", "operator-writes")
	if ref, _, _ := unstructured.NestedStringMap(binding.Object, "spec", "paramRef"); ref["name"] != params.GetName() || ref["namespace"] != params.GetNamespace() {
		t.Fatalf("the binding's paramRef %v does not name the params %s/%s", ref, params.GetNamespace(), params.GetName())
	}
	role := renderedObject(t, "ClusterRole", "manager-role")
	must(t, admin.Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "operator-under-test"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.GetName()},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Namespace: sa.GetNamespace(), Name: sa.GetName()}},
	}))
	// More than it holds today (Secrets for the relay's and webhook's
	// derived Secrets; update besides patch): the policy must hold where
	// RBAC is generous.
	must(t, admin.Create(ctx, &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "operator-under-test-extra"},
		Rules: []rbacv1.PolicyRule{{
			APIGroups: []string{"", "apps", "rbac.authorization.k8s.io"},
			Resources: []string{"secrets", "services", "serviceaccounts", "deployments", "roles", "rolebindings"},
			Verbs:     []string{"get", "create", "update", "patch", "delete"},
		}},
	}))
	must(t, admin.Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "operator-under-test-extra"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "operator-under-test-extra"},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Namespace: sa.GetNamespace(), Name: sa.GetName()}},
	}))
	operator := as(t, sa.GetNamespace(), sa.GetName())

	ns := newNamespace(t, "operator-policy")
	p := &whatsappv1alpha1.MetaProvider{
		ObjectMeta: metav1.ObjectMeta{Name: "acme", Namespace: ns},
		Spec: whatsappv1alpha1.MetaProviderSpec{
			BusinessAccountID:    "102290129340398",
			CredentialsSecretRef: whatsappv1alpha1.SecretReference{Name: "acme-meta"},
		},
	}
	must(t, admin.Create(ctx, p))

	// The policy is loaded: a Deployment with another image is refused.
	waitDenied(t, "a Deployment of another image", "may only run its own image",
		func() error {
			_, err := webhookresources.Apply(ctx, workload.Clients{Client: operator, Live: operator}, env.Scheme, p, webhookresources.Options{Image: "ghcr.io/attacker/miner:latest"})
			return err
		},
		func() { must(t, admin.DeleteAllOf(ctx, &appsv1.Deployment{}, client.InNamespace(ns))) })

	// Its own objects, written by its own code, with more than one replica
	// (a PodDisruptionBudget) and back (the budget deleted).
	opts := webhookresources.Options{Image: image}
	if _, err := webhookresources.Apply(ctx, workload.Clients{Client: operator, Live: operator}, env.Scheme, p, opts); err != nil {
		t.Fatalf("the operator's own objects are refused: %v", err)
	}
	two := p.DeepCopy()
	two.Spec.Webhook = &whatsappv1alpha1.ProviderWebhook{Replicas: ptr.To[int32](2)}
	if _, err := webhookresources.Apply(ctx, workload.Clients{Client: operator, Live: operator}, env.Scheme, two, opts); err != nil {
		t.Fatalf("the operator's PodDisruptionBudget is refused: %v", err)
	}
	if _, err := webhookresources.Apply(ctx, workload.Clients{Client: operator, Live: operator}, env.Scheme, p, opts); err != nil {
		t.Fatalf("deleting the operator's PodDisruptionBudget is refused: %v", err)
	}

	// Everything the operator writes for a provider, written by its own
	// code: the webhook objects, the derived Secrets and the relay's objects.
	beta := p.DeepCopy()
	beta.ObjectMeta = metav1.ObjectMeta{Name: "beta", Namespace: ns}
	beta.Spec.Relay = &whatsappv1alpha1.ProviderRelay{Replicas: ptr.To[int32](2)}
	must(t, admin.Create(ctx, beta))
	asOperator := workload.Clients{Client: operator, Live: operator}
	if _, err := webhookresources.Apply(ctx, asOperator, env.Scheme, beta, opts); err != nil {
		t.Fatalf("the operator's webhook objects are refused: %v", err)
	}
	if err := webhookresources.ApplySecrets(ctx, asOperator, env.Scheme, beta, webhookresources.Credentials{AppSecret: "s", VerifyToken: "v"}); err != nil {
		t.Fatalf("the operator's derived Secrets are refused: %v", err)
	}
	if _, err := relayresources.Apply(ctx, asOperator, env.Scheme, beta, opts); err != nil {
		t.Fatalf("the operator's relay objects (PodDisruptionBudget included) are refused: %v", err)
	}

	name := webhookresources.Name("acme")
	deployment := &appsv1.Deployment{}
	must(t, admin.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, deployment))
	managed := deployment.Labels
	owner := deployment.OwnerReferences
	meta := func(name string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, Namespace: ns, Labels: managed, OwnerReferences: owner}
	}
	// A user's own objects in the namespace.
	userService := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "acme-relay", Namespace: ns},
		Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}}},
	}
	must(t, admin.Create(ctx, userService))
	userDeployment := deployment.DeepCopy()
	userDeployment.ObjectMeta = metav1.ObjectMeta{Name: "shop", Namespace: ns}
	userDeployment.Spec.Template.Spec.ServiceAccountName = ""
	must(t, admin.Create(ctx, userDeployment))

	withPod := func(mutate func(*corev1.PodSpec)) client.Object {
		d := deployment.DeepCopy()
		d.ObjectMeta = meta("acme-relay")
		d.Spec.Template.Spec.ServiceAccountName = "acme-relay"
		mutate(&d.Spec.Template.Spec)
		return d
	}
	cases := map[string]struct {
		reason string
		write  func(client.Client) error
		denied string // substring of the refusal, or "" when allowed
	}{
		"its relay": {
			reason: "the relay Deployment, <provider>-relay, as the relay's ServiceAccount with the relay's image",
			write: func(c client.Client) error {
				return c.Create(ctx, withPod(func(*corev1.PodSpec) {}), client.DryRunAll)
			},
		},
		"another ServiceAccount": {
			reason: "running as a namespace's powerful ServiceAccount would hand over its rights",
			write: func(c client.Client) error {
				return c.Create(ctx, withPod(func(s *corev1.PodSpec) { s.ServiceAccountName = "default" }), client.DryRunAll)
			},
			denied: "run as the ServiceAccount of their own name",
		},
		"host path": {
			reason: "a hostPath volume reads the node",
			write: func(c client.Client) error {
				return c.Create(ctx, withPod(func(s *corev1.PodSpec) {
					s.Volumes = append(s.Volumes, corev1.Volume{Name: "root", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}})
				}), client.DryRunAll)
			},
			denied: "no host namespaces, hostPath volumes or privileged containers",
		},
		"another name": {
			reason: "only <provider>-webhook, -relay and -forwarding",
			write: func(c client.Client) error {
				d := withPod(func(*corev1.PodSpec) {}).(*appsv1.Deployment)
				d.Name = "miner"
				return c.Create(ctx, d, client.DryRunAll)
			},
			denied: "named <provider>-webhook",
		},
		"unlabelled Secret": {
			reason: "the operator's RBAC reaches every namespace's Secrets",
			write: func(c client.Client) error {
				return c.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "acme-forwarding", Namespace: ns}}, client.DryRunAll)
			},
			denied: "labelled app.kubernetes.io/managed-by=whatsapp-operator",
		},
		"token Secret": {
			reason: "a service-account-token Secret mints a token for any ServiceAccount",
			write: func(c client.Client) error {
				s := &corev1.Secret{ObjectMeta: meta("acme-forwarding"), Type: corev1.SecretTypeServiceAccountToken}
				s.Annotations = map[string]string{corev1.ServiceAccountNameKey: "default"}
				return c.Create(ctx, s, client.DryRunAll)
			},
			denied: "Secrets are Opaque",
		},
		"its Secret": {
			reason: "the derived and forwarding Secrets of the provider",
			write: func(c client.Client) error {
				return c.Create(ctx, &corev1.Secret{ObjectMeta: meta("acme-forwarding"), Type: corev1.SecretTypeOpaque}, client.DryRunAll)
			},
		},
		"binding a ClusterRole": {
			reason: "binding admin would grant what the operator cannot grant by a Role",
			write: func(c client.Client) error {
				return c.Create(ctx, &rbacv1.RoleBinding{
					ObjectMeta: meta("acme-relay"),
					RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
					Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: "acme-relay", Namespace: ns}},
				}, client.DryRunAll)
			},
			denied: "binds only its Role of the same name",
		},
		"binding another subject": {
			reason: "handing its Role to a user",
			write: func(c client.Client) error {
				rb := &rbacv1.RoleBinding{}
				if err := admin.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, rb); err != nil {
					return err
				}
				rb.Subjects = append(rb.Subjects, rbacv1.Subject{Kind: "User", Name: "mallory"})
				return c.Update(ctx, rb, client.DryRunAll)
			},
			denied: "binds only its Role of the same name",
		},
		"every Secret": {
			reason: "a Role may name Secrets, never grant them all",
			write: func(c client.Client) error {
				return c.Create(ctx, &rbacv1.Role{
					ObjectMeta: meta("acme-relay"),
					Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get", "list"}}},
				}, client.DryRunAll)
			},
			denied: "Secrets only by name",
		},
		"LoadBalancer": {
			reason: "the webhook pod is exposed through the user's Ingress, never by the operator",
			write: func(c client.Client) error {
				return c.Create(ctx, &corev1.Service{ObjectMeta: meta("acme-forwarding"), Spec: corev1.ServiceSpec{
					Type: corev1.ServiceTypeLoadBalancer, Ports: []corev1.ServicePort{{Port: 80}},
				}}, client.DryRunAll)
			},
			denied: "ClusterIP without externalIPs",
		},
		"taking over a user's Service": {
			reason: "a user's acme-relay made before the provider is theirs",
			write: func(c client.Client) error {
				s := userService.DeepCopy()
				s.Labels, s.OwnerReferences = managed, owner
				return c.Update(ctx, s, client.DryRunAll)
			},
			denied: "never take over one without them",
		},
		"deleting a user's Deployment": {
			reason: "the operator deletes only what it made",
			write: func(c client.Client) error {
				return c.Delete(ctx, userDeployment.DeepCopy(), client.DryRunAll)
			},
			denied: "labelled app.kubernetes.io/managed-by=whatsapp-operator",
		},
		"another owner": {
			reason: "an object controlled by something else is not the provider's",
			write: func(c client.Client) error {
				m := meta("acme-forwarding")
				m.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: "x", UID: "6f0c7c4e-0000-4000-8000-000000000001", Controller: ptr.To(true)}}
				return c.Create(ctx, &corev1.ServiceAccount{ObjectMeta: m}, client.DryRunAll)
			},
			denied: "controlled by the MetaProvider",
		},
		"an administrator": {
			reason: "the policy restricts the operator's ServiceAccount only",
			write: func(client.Client) error {
				d := withPod(func(s *corev1.PodSpec) { s.ServiceAccountName = "default"; s.Containers[0].Image = "busybox" }).(*appsv1.Deployment)
				d.Name, d.Labels, d.OwnerReferences = "tooling", nil, nil
				return admin.Create(ctx, d, client.DryRunAll)
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := tc.write(operator)
			switch {
			case tc.denied == "" && err != nil:
				t.Errorf("refused (%s): %v", tc.reason, err)
			case tc.denied != "" && (err == nil || !strings.Contains(err.Error(), tc.denied)):
				t.Errorf("want refusal %q (%s), got %v", tc.denied, tc.reason, err)
			}
		})
	}
}
