package controllers

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// MessageTemplateReconciler reconciles a MessageTemplate: submits it once,
// follows Meta's review through the shared per-WABA listing, edits it on
// spec change and deletes it at Meta with the object.
type MessageTemplateReconciler struct {
	*base
}

// +kubebuilder:rbac:groups=whatsapp.kubechat.io,resources=messagetemplates,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=whatsapp.kubechat.io,resources=messagetemplates/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=whatsapp.kubechat.io,resources=messagetemplates/finalizers,verbs=update

// SetupWithManager wires the watches: the template (spec changes and
// reconcile requests, e.g. from the webhook server on a status update) and
// its provider (readiness flips and spec changes).
func (r *MessageTemplateReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&whatsappv1alpha1.MessageTemplate{}, builder.WithPredicates(specOrRequestChanged())).
		Named("messagetemplate").
		WithOptions(controllerOptions(r.opts)).
		Watches(&whatsappv1alpha1.MetaProvider{}, handler.EnqueueRequestsFromMapFunc(r.templatesOfProvider),
			builder.WithPredicates(providerReadinessChanged())).
		Complete(r)
}

func (r *MessageTemplateReconciler) templatesOfProvider(ctx context.Context, p client.Object) []reconcile.Request {
	var list whatsappv1alpha1.MessageTemplateList
	if err := r.client.List(ctx, &list, client.InNamespace(p.GetNamespace()), client.MatchingFields{indexProviderName: p.GetName()}); err != nil {
		return nil
	}
	return requestsFor(list.Items)
}
