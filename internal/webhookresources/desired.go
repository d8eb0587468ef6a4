package webhookresources

import (
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// OwnedTypes lists the kinds Apply writes, for the MetaProvider controller's
// Owns() watches and its cache's label selector (CacheSelector).
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

// Desired returns the objects Apply writes for p, in the order it writes
// them, as typed objects holding exactly the fields Apply sets (server
// defaults absent). The PodDisruptionBudget is included only when p asks for
// more than one replica.
func Desired(p *v1alpha1.MetaProvider, opts Options) []client.Object {
	t := newTarget(p, opts, v1alpha1.GroupVersion.WithKind("MetaProvider"))
	var objs []client.Object
	for _, d := range build(t).objects {
		objs = append(objs, toObject(d.config, d.newObject()))
	}
	return objs
}

// desiredSet is the apply configuration of every object of one provider.
type desiredSet struct {
	// objects in the order they are applied: identity and permissions
	// before the pods that use them, the NetworkPolicy before the pods it
	// protects, the PodDisruptionBudget (only with more than one replica)
	// last.
	objects []applyConfig
	// deployment is also in objects; after Apply it holds the live
	// Deployment as the API server answered, status included.
	deployment *appsv1ac.DeploymentApplyConfiguration
}

// applyConfig is one object's apply configuration, with its kind for
// messages and a constructor of its typed form.
type applyConfig struct {
	kind      string
	config    runtime.ApplyConfiguration
	newObject func() client.Object
}

func build(t target) desiredSet {
	dep := deployment(t)
	objs := []applyConfig{
		{"ServiceAccount", serviceAccount(t), func() client.Object { return &corev1.ServiceAccount{} }},
		{"Role", role(t), func() client.Object { return &rbacv1.Role{} }},
		{"RoleBinding", roleBinding(t), func() client.Object { return &rbacv1.RoleBinding{} }},
		{"Service", service(t), func() client.Object { return &corev1.Service{} }},
		{"NetworkPolicy", networkPolicy(t), func() client.Object { return &networkingv1.NetworkPolicy{} }},
		{"Deployment", dep, func() client.Object { return &appsv1.Deployment{} }},
	}
	if wantsPodDisruptionBudget(t) {
		objs = append(objs, applyConfig{"PodDisruptionBudget", podDisruptionBudget(t), func() client.Object { return &policyv1.PodDisruptionBudget{} }})
	}
	return desiredSet{objects: objs, deployment: dep}
}

// toObject converts an apply configuration to its typed object. Both are
// generated from the same API types, so this fails only on a programming
// error.
func toObject(config runtime.ApplyConfiguration, into client.Object) client.Object {
	raw, err := json.Marshal(config)
	if err == nil {
		err = json.Unmarshal(raw, into)
	}
	if err != nil {
		panic(fmt.Sprintf("webhookresources: convert %T to %T: %v", config, into, err))
	}
	return into
}
