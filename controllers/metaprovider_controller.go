package controllers

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/relayresources"
	"github.com/kubechat/whatsapp-operator/internal/webhookresources"
	"github.com/kubechat/whatsapp-operator/internal/workload"
	"github.com/kubechat/whatsapp-operator/relay"
)

// MetaProviderReconciler reconciles a MetaProvider: credentials, the app's
// subscription to the WABA, and the managed webhook server and relay.
type MetaProviderReconciler struct {
	*base
	resources webhookresources.Options
	// relayResources are resources with the relay's image.
	relayResources relayresources.Options
	// checks remembers when the token and subscription checks passed.
	checks *checkMemo[types.NamespacedName, providerCheckInputs]
}

// +kubebuilder:rbac:groups=whatsapp.kubechat.io,resources=metaproviders,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=whatsapp.kubechat.io,resources=metaproviders/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=whatsapp.kubechat.io,resources=metaproviders/finalizers,verbs=update
// Objects the operator writes for each MetaProvider's webhook server and
// relay (server-side apply; see internal/webhookresources/RBAC-NOTES.md,
// which a test holds to these lines). Secrets: the webhook server's and the
// forwarding key's, derived from the credentials.
// +kubebuilder:rbac:groups=apps,resources=deployments,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=core,resources=services;serviceaccounts,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=roles;rolebindings,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=policy,resources=poddisruptionbudgets,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=networking.k8s.io,resources=networkpolicies,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=core,resources=secrets,verbs=create;patch
// What the webhook server's and the relay's Roles grant: RBAC lets the
// operator grant only what it holds itself (it has no escalate or bind verb).
// +kubebuilder:rbac:groups=whatsapp.kubechat.io,resources=metaproviders;whatsappchannels;messagetemplates,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=core,resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=discovery.k8s.io,resources=endpointslices,verbs=get;list;watch
// The operator's own Events (events.k8s.io through its recorder; core
// Events for client-go components that still record them).
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=core,resources=events,verbs=create;patch

// SetupWithManager wires the watches: the provider itself (spec changes and
// reconcile requests), the objects it owns (drift and readiness of the
// webhook server and the relay), Secrets (metadata only: its credentials
// Secret, mapped back through an index, so a rotated token is used at once,
// and the Secrets it derived, mapped back through their owner), the
// templates named new_bot_message (the relay's fallback), and the deletion
// of its templates, which a deleted provider waits for.
func (r *MetaProviderReconciler) SetupWithManager(mgr ctrl.Manager) error {
	r.checks = newCheckMemo[types.NamespacedName, providerCheckInputs]()
	b := ctrl.NewControllerManagedBy(mgr).
		For(&whatsappv1alpha1.MetaProvider{}, builder.WithPredicates(specOrRequestChanged())).
		Named("metaprovider").
		WithOptions(controllerOptions(r.opts)).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.providersOfSecret)).
		Watches(&whatsappv1alpha1.MessageTemplate{}, handler.EnqueueRequestsFromMapFunc(providerOfFallbackTemplate)).
		Watches(&whatsappv1alpha1.MessageTemplate{}, handler.EnqueueRequestsFromMapFunc(r.deletingProviderOfTemplate),
			builder.WithPredicates(predicate.Funcs{
				CreateFunc:  func(event.CreateEvent) bool { return false },
				UpdateFunc:  func(event.UpdateEvent) bool { return false },
				DeleteFunc:  func(event.DeleteEvent) bool { return true },
				GenericFunc: func(event.GenericEvent) bool { return false },
			}))
	for _, t := range workload.OwnedTypes() {
		b = b.Owns(t)
	}
	return b.Complete(r)
}

// providersOfSecret maps a Secret to the providers whose credentials it
// holds and to the provider that controls it (the Secrets derived for the
// webhook server and the forwarding key: an edit or a deletion is undone).
func (r *MetaProviderReconciler) providersOfSecret(ctx context.Context, s client.Object) []reconcile.Request {
	var reqs []reconcile.Request
	if ctl := metav1.GetControllerOfNoCopy(s); ctl != nil && ctl.Kind == "MetaProvider" && ctl.APIVersion == whatsappv1alpha1.GroupVersion.String() {
		reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: s.GetNamespace(), Name: ctl.Name}})
	}
	var list whatsappv1alpha1.MetaProviderList
	if err := r.client.List(ctx, &list, client.InNamespace(s.GetNamespace()), client.MatchingFields{indexSecretName: s.GetName()}); err != nil {
		return reqs
	}
	for _, p := range list.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&p)})
	}
	return reqs
}

// providerOfFallbackTemplate maps a MessageTemplate named new_bot_message
// (in spec or, once Meta knows it, in status) to its provider, whose
// RelayReady condition reports whether the relay can fall back to it.
// Other templates do not concern the provider.
func providerOfFallbackTemplate(_ context.Context, o client.Object) []reconcile.Request {
	t, ok := o.(*whatsappv1alpha1.MessageTemplate)
	if !ok || (t.TemplateName() != relay.FallbackTemplateName && t.Status.Name != relay.FallbackTemplateName) {
		return nil
	}
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: t.Namespace, Name: t.Spec.ProviderRef.Name}}}
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
