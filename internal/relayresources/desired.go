package relayresources

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/workload"
)

// Desired returns the objects Apply writes for p, in the order it writes
// them, as typed objects holding exactly the fields Apply sets. The
// PodDisruptionBudget is included only when p asks for more than one
// relay replica.
func Desired(p *v1alpha1.MetaProvider, opts Options) []client.Object {
	var objs []client.Object
	for _, d := range build(newTarget(p, opts, workload.StaticOwnerOf(p))).objects {
		objs = append(objs, workload.ToObject(d.Config, d.New()))
	}
	return objs
}

// desiredSet is the apply configuration of every relay object of one
// provider, in the order they are applied (identity and permissions, the
// Service, the NetworkPolicy before the pods it protects, the Deployment,
// the PodDisruptionBudget last), and the Deployment again, which after
// Apply holds the live object with its status.
type desiredSet struct {
	objects    []workload.Object
	deployment *appsv1ac.DeploymentApplyConfiguration
}

func build(t target) desiredSet {
	dep := deployment(t)
	obj := func(kind string, config runtime.ApplyConfiguration, newObject func() client.Object) workload.Object {
		return workload.Object{Kind: kind, Namespace: t.namespace, Name: t.name, Config: config, New: newObject}
	}
	objs := []workload.Object{
		obj("ServiceAccount", workload.ServiceAccount(t.name, t.namespace, t.owner, t.labels()), func() client.Object { return &corev1.ServiceAccount{} }),
		obj("Role", role(t), func() client.Object { return &rbacv1.Role{} }),
		obj("RoleBinding", workload.RoleBinding(t.name, t.namespace, t.owner, t.labels()), func() client.Object { return &rbacv1.RoleBinding{} }),
		obj("Service", service(t), func() client.Object { return &corev1.Service{} }),
		obj("NetworkPolicy", networkPolicy(t), func() client.Object { return &networkingv1.NetworkPolicy{} }),
		obj("Deployment", dep, func() client.Object { return &appsv1.Deployment{} }),
	}
	if workload.WantsPodDisruptionBudget(t.replicas) {
		objs = append(objs, workload.PodDisruptionBudgetObject(t.name, t.namespace, t.owner, t.labels(), t.selector()))
	}
	return desiredSet{objects: objs, deployment: dep}
}
