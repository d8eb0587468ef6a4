package workload

import (
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	rbacv1ac "k8s.io/client-go/applyconfigurations/rbac/v1"
)

const groupRBAC = "rbac.authorization.k8s.io"

// ServiceAccount is the identity a workload's pods run as.
func ServiceAccount(name, namespace string, owner Owner, labels map[string]string) *corev1ac.ServiceAccountApplyConfiguration {
	return corev1ac.ServiceAccount(name, namespace).
		WithLabels(labels).
		WithOwnerReferences(owner.Reference())
}

// RoleBinding binds the Role called name to the ServiceAccount called name.
// Its roleRef never changes (the API server forbids changing it).
func RoleBinding(name, namespace string, owner Owner, labels map[string]string) *rbacv1ac.RoleBindingApplyConfiguration {
	return rbacv1ac.RoleBinding(name, namespace).
		WithLabels(labels).
		WithOwnerReferences(owner.Reference()).
		WithRoleRef(rbacv1ac.RoleRef().
			WithAPIGroup(groupRBAC).
			WithKind("Role").
			WithName(name)).
		WithSubjects(rbacv1ac.Subject().
			WithKind("ServiceAccount").
			WithName(name).
			WithNamespace(namespace))
}
