package webhookresources

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/workload"
)

// OwnedTypes lists the kinds Apply writes (Secrets apart: ApplySecrets),
// for the MetaProvider controller's Owns() watches. They are the kinds of
// every workload: workload.OwnedTypes.
func OwnedTypes() []client.Object { return workload.OwnedTypes() }

// CacheByObject is workload.CacheByObject: the manager's cache selects
// the kinds of every workload on the operator's label.
func CacheByObject() map[client.Object]cache.ByObject { return workload.CacheByObject() }

// Desired returns the objects Apply writes for p, in the order it writes
// them, as typed objects holding exactly the fields Apply sets (server
// defaults absent). The PodDisruptionBudget is included only when p asks for
// more than one replica.
func Desired(p *v1alpha1.MetaProvider, opts Options) []client.Object {
	t := newTarget(p, opts, workload.StaticOwnerOf(p))
	var objs []client.Object
	for _, d := range build(t).objects {
		objs = append(objs, workload.ToObject(d.Config, d.New()))
	}
	return objs
}

// desiredSet is the apply configuration of every object of one provider's
// webhook server.
type desiredSet struct {
	// objects in the order they are applied: identity and permissions
	// before the pods that use them, the NetworkPolicy before the pods it
	// protects, the PodDisruptionBudget (only with more than one replica)
	// last.
	objects []workload.Object
	// deployment is also in objects; after Apply it holds the live
	// Deployment as the API server answered, status included.
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
