package controllers

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/webhookresources"
)

// MetaProviderReconciler reconciles a MetaProvider: credentials, the app's
// subscription to the WABA, and the managed webhook server.
type MetaProviderReconciler struct {
	*base
	resources webhookresources.Options
	// checks remembers when the token and subscription checks passed.
	checks *checkMemo[types.NamespacedName, providerCheckInputs]
}

// +kubebuilder:rbac:groups=whatsapp.kubechat.io,resources=metaproviders,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=whatsapp.kubechat.io,resources=metaproviders/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=whatsapp.kubechat.io,resources=metaproviders/finalizers,verbs=update
// Objects the operator writes for each MetaProvider's webhook server
// (server-side apply; see internal/webhookresources/RBAC-NOTES.md, which a
// test holds to these lines).
// +kubebuilder:rbac:groups=apps,resources=deployments,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=core,resources=services;serviceaccounts,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=roles;rolebindings,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=policy,resources=poddisruptionbudgets,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=networking.k8s.io,resources=networkpolicies,verbs=get;list;watch;create;patch;delete
// What the webhook server's Role grants: RBAC lets the operator grant only
// what it holds itself (it has no escalate or bind verb).
// +kubebuilder:rbac:groups=whatsapp.kubechat.io,resources=metaproviders;whatsappchannels;messagetemplates,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=core,resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=discovery.k8s.io,resources=endpointslices,verbs=get;list;watch
// The operator's own Events (events.k8s.io through its recorder; core
// Events for client-go components that still record them).
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=core,resources=events,verbs=create;patch

// SetupWithManager wires the watches: the provider itself (spec changes and
// reconcile requests), the objects it owns (drift and readiness of the
// webhook server), its credentials Secret (metadata only, mapped back
// through an index) so a rotated token is used at once, and the deletion
// of its templates, which a deleted provider waits for.
func (r *MetaProviderReconciler) SetupWithManager(mgr ctrl.Manager) error {
	r.checks = newCheckMemo[types.NamespacedName, providerCheckInputs]()
	b := ctrl.NewControllerManagedBy(mgr).
		For(&whatsappv1alpha1.MetaProvider{}, builder.WithPredicates(specOrRequestChanged())).
		Named("metaprovider").
		WithOptions(controllerOptions(r.opts)).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.providersOfSecret)).
		Watches(&whatsappv1alpha1.MessageTemplate{}, handler.EnqueueRequestsFromMapFunc(r.deletingProviderOfTemplate),
			builder.WithPredicates(predicate.Funcs{
				CreateFunc:  func(event.CreateEvent) bool { return false },
				UpdateFunc:  func(event.UpdateEvent) bool { return false },
				DeleteFunc:  func(event.DeleteEvent) bool { return true },
				GenericFunc: func(event.GenericEvent) bool { return false },
			}))
	for _, t := range webhookresources.OwnedTypes() {
		b = b.Owns(t)
	}
	return b.Complete(r)
}

// providersOfSecret maps a Secret to the providers whose credentials it holds.
func (r *MetaProviderReconciler) providersOfSecret(ctx context.Context, s client.Object) []reconcile.Request {
	var list whatsappv1alpha1.MetaProviderList
	if err := r.client.List(ctx, &list, client.InNamespace(s.GetNamespace()), client.MatchingFields{indexSecretName: s.GetName()}); err != nil {
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(list.Items))
	for _, p := range list.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&p)})
	}
	return reqs
}

// deletingProviderOfTemplate maps a template that is gone to its provider
// when that provider is being deleted (it may be waiting for the template).
func (r *MetaProviderReconciler) deletingProviderOfTemplate(ctx context.Context, o client.Object) []reconcile.Request {
	t, ok := o.(*whatsappv1alpha1.MessageTemplate)
	if !ok {
		return nil
	}
	p, err := r.getProvider(ctx, t.Namespace, t.Spec.ProviderRef.Name)
	if err != nil || p.DeletionTimestamp.IsZero() {
		return nil
	}
	return []reconcile.Request{{NamespacedName: client.ObjectKeyFromObject(p)}}
}
