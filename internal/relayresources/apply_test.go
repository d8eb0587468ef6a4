package relayresources

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
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubechat/whatsapp-operator/internal/workload"
)

func TestApplyCreatesOwnedObjects(t *testing.T) {
	p := createProvider(t, withRelay(2))
	res := mustApply(t, p)
	want := []metav1.OwnerReference{{
		APIVersion: "whatsapp.kubechat.io/v1alpha1", Kind: "MetaProvider", Name: p.Name, UID: p.UID,
		Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true),
	}}
	for _, obj := range workload.OwnedTypes() {
		if err := get(p, obj); err != nil {
			t.Errorf("%T: %v", obj, err)
			continue
		}
		if diff := cmp.Diff(want, obj.GetOwnerReferences()); diff != "" {
			t.Errorf("deleting the MetaProvider must garbage-collect %T (-want +got):\n%s", obj, diff)
		}
	}
	wantRes := Result{ServiceName: "acme-relay", DesiredReplicas: 2, Message: "Deployment " + p.Namespace + "/acme-relay: 0/2 replicas ready"}
	if diff := cmp.Diff(wantRes, res); diff != "" {
		t.Errorf("a new relay has no ready replica (-want +got):\n%s", diff)
	}
}

func TestApplyFollowsSpec(t *testing.T) {
	ctx := context.Background()
	p := createProvider(t, withRelay(2))
	mustApply(t, p)
	before := map[string]string{}
	for _, obj := range workload.OwnedTypes() {
		if err := get(p, obj); err == nil {
			before[typeName(obj)] = obj.GetResourceVersion()
		}
	}
	mustApply(t, p)
	for _, obj := range workload.OwnedTypes() {
		if err := get(p, obj); err == nil && before[typeName(obj)] != obj.GetResourceVersion() {
			t.Errorf("%T was modified by an Apply that changed nothing", obj)
		}
	}

	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(p), p); err != nil {
		t.Fatal(err)
	}
	withRelay(1, "bots")(p)
	if err := env.Client.Update(ctx, p); err != nil {
		t.Fatal(err)
	}
	res := mustApply(t, p)
	if err := get(p, &policyv1.PodDisruptionBudget{}); !apierrors.IsNotFound(err) {
		t.Errorf("scaling the relay to one replica deletes its PodDisruptionBudget: %v", err)
	}
	dep := &appsv1.Deployment{}
	if err := get(p, dep); err != nil || *dep.Spec.Replicas != 1 || res.DesiredReplicas != 1 {
		t.Errorf("Deployment replicas follow spec.relay.replicas: %v", err)
	}
	np := &networkingv1.NetworkPolicy{}
	if err := get(p, np); err != nil || len(np.Spec.Ingress[0].From) != 2 {
		t.Errorf("the NetworkPolicy admits the newly allowed namespace: %v %+v", err, np.Spec.Ingress)
	}
}

func TestApplyLeavesForeignObjectsAlone(t *testing.T) {
	ctx := context.Background()
	p := createProvider(t)
	theirs := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: "acme-relay", Labels: map[string]string{"team": "x"}}}
	if err := env.Client.Create(ctx, theirs); err != nil {
		t.Fatal(err)
	}
	_, err := Apply(ctx, clients, env.Scheme, p, testOptions)
	var nc *workload.NotControlledError
	if !errors.As(err, &nc) || nc.Kind != "ServiceAccount" || nc.Name != "acme-relay" {
		t.Fatalf("error %v, want a NotControlledError naming ServiceAccount acme-relay", err)
	}
	got := &corev1.ServiceAccount{}
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(theirs), got); err != nil {
		t.Fatal(err)
	}
	if got.ResourceVersion != theirs.ResourceVersion || len(got.OwnerReferences) != 0 {
		t.Errorf("the user's ServiceAccount was changed: %+v", got.ObjectMeta)
	}
	if err := get(p, &appsv1.Deployment{}); !apierrors.IsNotFound(err) {
		t.Errorf("nothing after the refused object is written either: Deployment %v", err)
	}
}

func typeName(obj client.Object) string { return fmt.Sprintf("%T", obj) }
