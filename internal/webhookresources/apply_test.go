package webhookresources

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/workload"
)

// TestApplyCreatesOwnedObjects checks every object Apply creates against the
// API server. envtest runs no garbage collector, so deletion of the provider
// cannot be observed here: what makes the garbage collector delete these
// objects (and foreground deletion wait for them) is the controller owner
// reference with blockOwnerDeletion, asserted on each.
func TestApplyCreatesOwnedObjects(t *testing.T) {
	p := createProvider(t, withReplicas(2))
	res := mustApply(t, p)

	wantOwner := []metav1.OwnerReference{{
		APIVersion: "whatsapp.kubechat.io/v1alpha1", Kind: "MetaProvider", Name: p.Name, UID: p.UID,
		Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true),
	}}
	for _, obj := range OwnedTypes() {
		t.Run(typeName(obj), func(t *testing.T) {
			mustGet(t, p, obj)
			if diff := cmp.Diff(wantOwner, obj.GetOwnerReferences()); diff != "" {
				t.Errorf("deleting the MetaProvider must garbage-collect %T: owner references (-want +got):\n%s", obj, diff)
			}
			if got := obj.GetLabels()[workload.ManagedByLabel]; got != workload.ManagedByValue {
				t.Errorf("the operator's cache selects on %s=%s; %T has %q", workload.ManagedByLabel, workload.ManagedByValue, obj, got)
			}
			if !workload.CacheSelector().Matches(labelSet(obj.GetLabels())) {
				t.Errorf("CacheSelector does not match %T", obj)
			}
		})
	}

	want := Result{ServiceName: "acme-webhook", DesiredReplicas: 2, Message: "Deployment " + p.Namespace + "/acme-webhook: 0/2 replicas ready"}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("a new Deployment has no ready replica yet\nResult (-want +got):\n%s", diff)
	}

	dep := mustGet(t, p, &appsv1.Deployment{})
	c := dep.Spec.Template.Spec.Containers[0]
	if diff := cmp.Diff(args(newTarget(p, testOptions, workload.StaticOwnerOf(p))), c.Args); diff != "" {
		t.Errorf("args must name the provider and the Graph API (-want +got):\n%s", diff)
	}
	role := mustGet(t, p, &rbacv1.Role{})
	if diff := cmp.Diff([]string{"acme-webhook"}, secretRule(role).ResourceNames); diff != "" {
		t.Errorf("the Role may read only the webhook Secret, never the credentials Secret (-want +got):\n%s", diff)
	}
	rb := mustGet(t, p, &rbacv1.RoleBinding{})
	wantSubjects := []rbacv1.Subject{{Kind: "ServiceAccount", Name: "acme-webhook", Namespace: p.Namespace}}
	if diff := cmp.Diff(wantSubjects, rb.Subjects); diff != "" || rb.RoleRef.Name != "acme-webhook" {
		t.Errorf("the RoleBinding must bind Role acme-webhook to the ServiceAccount (roleRef %q, subjects -want +got):\n%s", rb.RoleRef.Name, diff)
	}
	svc := mustGet(t, p, &corev1.Service{})
	gotPorts := map[string][2]string{}
	for _, sp := range svc.Spec.Ports {
		gotPorts[sp.Name] = [2]string{fmt.Sprint(sp.Port), sp.TargetPort.String()}
	}
	if diff := cmp.Diff(map[string][2]string{"webhook": {"80", "webhook"}}, gotPorts); diff != "" {
		t.Errorf("the Service exposes webhook 80 only: the relay is its own Service (-want +got):\n%s", diff)
	}
}

func TestApplyPodDisruptionBudgetFollowsReplicas(t *testing.T) {
	cases := map[string]struct {
		reason  string
		from    func(*v1alpha1.MetaProvider)
		to      func(*v1alpha1.MetaProvider)
		wantPDB bool
	}{
		"ScaleUp": {
			reason:  "going from 1 to 3 replicas adds a PodDisruptionBudget",
			from:    withReplicas(1),
			to:      withReplicas(3),
			wantPDB: true,
		},
		"ScaleDown": {
			reason: "going from 3 to 1 replica deletes the PodDisruptionBudget",
			from:   withReplicas(3),
			to:     withReplicas(1),
		},
		"WebhookSectionRemoved": {
			reason: "removing spec.webhook means one replica: no PodDisruptionBudget",
			from:   withReplicas(2),
			to:     func(p *v1alpha1.MetaProvider) { p.Spec.Webhook = nil },
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := createProvider(t, tc.from)
			mustApply(t, p)
			p = updateProvider(t, p, tc.to)
			res := mustApply(t, p)

			err := get(t, p, &policyv1.PodDisruptionBudget{})
			if gotPDB := err == nil; gotPDB != tc.wantPDB || (err != nil && !apierrors.IsNotFound(err)) {
				t.Errorf("%s\nPodDisruptionBudget present = %v (err %v), want %v", tc.reason, gotPDB, err, tc.wantPDB)
			}
			dep := mustGet(t, p, &appsv1.Deployment{})
			if *dep.Spec.Replicas != desiredReplicas(p) || res.DesiredReplicas != desiredReplicas(p) {
				t.Errorf("%s\nDeployment replicas %d, Result %d, want %d", tc.reason, *dep.Spec.Replicas, res.DesiredReplicas, desiredReplicas(p))
			}
		})
	}
}

func TestApplyFollowsSpecChanges(t *testing.T) {
	cases := map[string]struct {
		reason string
		change func(*v1alpha1.MetaProvider)
		check  func(t *testing.T, p *v1alpha1.MetaProvider)
	}{
		"GraphAPIVersionPinned": {
			reason: "pinning spec.graphAPIVersion changes the server's --graph-api-version",
			change: func(p *v1alpha1.MetaProvider) { p.Spec.GraphAPIVersion = "v26.0" },
			check: func(t *testing.T, p *v1alpha1.MetaProvider) {
				a := mustGet(t, p, &appsv1.Deployment{}).Spec.Template.Spec.Containers[0].Args
				if got := a[len(a)-1]; got != "v26.0" {
					t.Errorf("--graph-api-version %q, want v26.0 (args %q)", got, a)
				}
			},
		},
		"CredentialsSecretRenamed": {
			reason: "a new credentials Secret name does not reach the webhook Role: it reads the derived Secret only",
			change: func(p *v1alpha1.MetaProvider) { p.Spec.CredentialsSecretRef.Name = "acme-meta-v2" },
			check: func(t *testing.T, p *v1alpha1.MetaProvider) {
				got := secretRule(mustGet(t, p, &rbacv1.Role{})).ResourceNames
				if diff := cmp.Diff([]string{"acme-webhook"}, got); diff != "" {
					t.Errorf("Secret resourceNames (-want +got):\n%s", diff)
				}
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := createProvider(t)
			mustApply(t, p)
			p = updateProvider(t, p, tc.change)
			mustApply(t, p)
			t.Log(tc.reason)
			tc.check(t, p)
		})
	}
}

func TestApplyRestoresDrift(t *testing.T) {
	cases := map[string]struct {
		reason string
		obj    func() client.Object
		drift  func(client.Object)
		check  func(t *testing.T, p *v1alpha1.MetaProvider, got client.Object)
	}{
		"DeploymentImage": {
			reason: "an edited image is set back to the operator's",
			obj:    func() client.Object { return &appsv1.Deployment{} },
			drift:  func(o client.Object) { o.(*appsv1.Deployment).Spec.Template.Spec.Containers[0].Image = "evil:latest" },
			check: func(t *testing.T, p *v1alpha1.MetaProvider, o client.Object) {
				if got := o.(*appsv1.Deployment).Spec.Template.Spec.Containers[0].Image; got != testOptions.Image {
					t.Errorf("image %q, want %q", got, testOptions.Image)
				}
			},
		},
		"DeploymentArgs": {
			reason: "edited args are set back",
			obj:    func() client.Object { return &appsv1.Deployment{} },
			drift: func(o client.Object) {
				o.(*appsv1.Deployment).Spec.Template.Spec.Containers[0].Args = []string{"webhook-server", "--provider-name", "other"}
			},
			check: func(t *testing.T, p *v1alpha1.MetaProvider, o client.Object) {
				want := desiredOf[*appsv1.Deployment](t, p, testOptions).Spec.Template.Spec.Containers[0].Args
				if diff := cmp.Diff(want, o.(*appsv1.Deployment).Spec.Template.Spec.Containers[0].Args); diff != "" {
					t.Errorf("args (-want +got):\n%s", diff)
				}
			},
		},
		"DeploymentReplicas": {
			reason: "a manual scale is set back to spec.webhook.replicas",
			obj:    func() client.Object { return &appsv1.Deployment{} },
			drift:  func(o client.Object) { o.(*appsv1.Deployment).Spec.Replicas = ptr.To[int32](5) },
			check: func(t *testing.T, p *v1alpha1.MetaProvider, o client.Object) {
				if got := *o.(*appsv1.Deployment).Spec.Replicas; got != 1 {
					t.Errorf("replicas %d, want 1", got)
				}
			},
		},
		"DeploymentSecurityContext": {
			reason: "a weakened security context is hardened again",
			obj:    func() client.Object { return &appsv1.Deployment{} },
			drift: func(o client.Object) {
				o.(*appsv1.Deployment).Spec.Template.Spec.Containers[0].SecurityContext.ReadOnlyRootFilesystem = ptr.To(false)
			},
			check: func(t *testing.T, p *v1alpha1.MetaProvider, o client.Object) {
				if got := o.(*appsv1.Deployment).Spec.Template.Spec.Containers[0].SecurityContext.ReadOnlyRootFilesystem; !*got {
					t.Errorf("readOnlyRootFilesystem %v, want true", *got)
				}
			},
		},
		"ForeignLabelKept": {
			reason: "a label someone else added is theirs: server-side apply leaves it",
			obj:    func() client.Object { return &appsv1.Deployment{} },
			drift:  func(o client.Object) { o.SetLabels(mergeLabels(o.GetLabels(), "team", "support")) },
			check: func(t *testing.T, p *v1alpha1.MetaProvider, o client.Object) {
				if got := o.GetLabels()["team"]; got != "support" {
					t.Errorf("label team=%q, want support kept", got)
				}
			},
		},
		"RoleBroadened": {
			reason: "a Role widened to every Secret is narrowed to the webhook Secret again",
			obj:    func() client.Object { return &rbacv1.Role{} },
			drift:  func(o client.Object) { secretRule(o.(*rbacv1.Role)).ResourceNames = nil },
			check: func(t *testing.T, p *v1alpha1.MetaProvider, o client.Object) {
				if diff := cmp.Diff([]string{"acme-webhook"}, secretRule(o.(*rbacv1.Role)).ResourceNames); diff != "" {
					t.Errorf("Secret resourceNames (-want +got):\n%s", diff)
				}
			},
		},
		"NetworkPolicyOpened": {
			reason: "a metrics rule opened to every namespace is closed again",
			obj:    func() client.Object { return &networkingv1.NetworkPolicy{} },
			drift:  func(o client.Object) { o.(*networkingv1.NetworkPolicy).Spec.Ingress[1].From = nil },
			check: func(t *testing.T, p *v1alpha1.MetaProvider, o client.Object) {
				if got := o.(*networkingv1.NetworkPolicy).Spec.Ingress[1].From; len(got) != 1 {
					t.Errorf("metrics peers %+v, want the namespace's pods only", got)
				}
			},
		},
		"ServicePort": {
			reason: "a changed Service target port is set back",
			obj:    func() client.Object { return &corev1.Service{} },
			drift:  func(o client.Object) { o.(*corev1.Service).Spec.Ports[0].TargetPort = intstr.FromInt32(9999) },
			check: func(t *testing.T, p *v1alpha1.MetaProvider, o client.Object) {
				if got := o.(*corev1.Service).Spec.Ports[0].TargetPort.String(); got != "webhook" {
					t.Errorf("targetPort %q, want webhook", got)
				}
			},
		},
	}
	ctx := context.Background()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := createProvider(t)
			mustApply(t, p)
			obj := mustGet(t, p, tc.obj())
			tc.drift(obj)
			if err := env.Client.Update(ctx, obj, client.FieldOwner("kubectl-edit")); err != nil {
				t.Fatalf("drift: %v", err)
			}
			mustApply(t, p)
			t.Log(tc.reason)
			tc.check(t, p, mustGet(t, p, tc.obj()))
		})
	}
}

func TestApplyIsIdempotent(t *testing.T) {
	cases := map[string]struct {
		reason string
		mutate func(*v1alpha1.MetaProvider)
	}{
		"OneReplica":    {reason: "a second Apply with nothing changed writes nothing", mutate: withReplicas(1)},
		"ThreeReplicas": {reason: "nor with a PodDisruptionBudget", mutate: withReplicas(3)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := createProvider(t, tc.mutate)
			mustApply(t, p)
			before := resourceVersions(t, p)
			mustApply(t, p)
			if diff := cmp.Diff(before, resourceVersions(t, p)); diff != "" {
				t.Errorf("%s\nresourceVersions (-first +second):\n%s", tc.reason, diff)
			}
		})
	}
}

func TestApplyRefusesBeforeWriting(t *testing.T) {
	cases := map[string]struct {
		reason string
		name   string
		opts   Options
		want   error
	}{
		"NameTooLong": {
			// The CRD refuses such a name at admission; Apply still guards
			// against objects written before that rule existed.
			reason: "a provider whose name cannot name a Service is a permanent error, and nothing is written",
			name:   "a-very-long-provider-name-that-cannot-fit-in-a-service-name",
			opts:   testOptions,
			want:   ErrInvalidProviderName,
		},
		"NoImage": {
			reason: "without an image there is no server to run",
			name:   "acme",
			opts:   Options{},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := createProvider(t, func(p *v1alpha1.MetaProvider) {})
			p = p.DeepCopy()
			p.Name = tc.name // in memory only: the API server refuses this name now
			_, err := Apply(context.Background(), clients, env.Scheme, p, tc.opts)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("%s\nApply error %v, want %v", tc.reason, err, tc.want)
			}
			if err := get(t, p, &corev1.ServiceAccount{}); !apierrors.IsNotFound(err) {
				t.Errorf("%s\nServiceAccount: %v, want NotFound", tc.reason, err)
			}
		})
	}
}
