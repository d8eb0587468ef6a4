package workload

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// OwnedTypes lists the kinds the workloads' Apply writes and the operator
// watches (Owns) to restore drift and follow readiness. Secrets are not
// among them: the operator watches Secrets metadata-only (its own derived
// Secrets and users' credentials alike) and never caches their data.
func OwnedTypes() []client.Object {
	return []client.Object{
		&corev1.ServiceAccount{},
		&rbacv1.Role{},
		&rbacv1.RoleBinding{},
		&corev1.Service{},
		&networkingv1.NetworkPolicy{},
		&appsv1.Deployment{},
		&policyv1.PodDisruptionBudget{},
	}
}

// CacheSelector selects the objects the operator writes.
func CacheSelector() labels.Selector {
	return labels.SelectorFromSet(labels.Set{ManagedByLabel: ManagedByValue})
}

// CacheByObject is the manager's cache.Options.ByObject for OwnedTypes:
// each cached only where CacheSelector matches, so that the operator does
// not cache every Deployment, Service or Role in the cluster. An object of
// these kinds without the label is invisible to that cache: guard.go reads
// through the API server before it writes a name it does not see.
func CacheByObject() map[client.Object]cache.ByObject {
	m := map[client.Object]cache.ByObject{}
	for _, t := range OwnedTypes() {
		m[t] = cache.ByObject{Label: CacheSelector()}
	}
	return m
}
