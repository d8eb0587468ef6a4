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
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// WhatsAppChannelReconciler reconciles a WhatsAppChannel: finds its number
// in the WABA, guards against a second channel claiming it, checks the
// chatbot target and keeps the business profile.
type WhatsAppChannelReconciler struct {
	*base
	// profiles remembers when each channel's profile was last found equal
	// to its spec (by a hash of it), so steady state costs one profile
	// read per channel per syncInterval, not one per reconcile.
	profiles *checkMemo[types.NamespacedName, string]
}

// +kubebuilder:rbac:groups=whatsapp.kubechat.io,resources=whatsappchannels,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=whatsapp.kubechat.io,resources=whatsappchannels/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=whatsapp.kubechat.io,resources=whatsappchannels/finalizers,verbs=update

// SetupWithManager wires the watches: the channel, its provider (readiness
// flips and spec changes), other channels of the same number (a deleted
// holder, or one that lost its verification, frees the number for the next
// one), and the Secret holding its number's PIN (metadata only, mapped back
// through an index), so a fixed PIN is tried at once.
func (r *WhatsAppChannelReconciler) SetupWithManager(mgr ctrl.Manager) error {
	r.profiles = newCheckMemo[types.NamespacedName, string]()
	return ctrl.NewControllerManagedBy(mgr).
		For(&whatsappv1alpha1.WhatsAppChannel{}, builder.WithPredicates(specOrRequestChanged())).
		Named("whatsappchannel").
		WithOptions(controllerOptions(r.opts)).
		Watches(&whatsappv1alpha1.MetaProvider{}, handler.EnqueueRequestsFromMapFunc(r.channelsOfProvider),
			builder.WithPredicates(providerReadinessChanged())).
		Watches(&whatsappv1alpha1.WhatsAppChannel{}, handler.EnqueueRequestsFromMapFunc(r.channelsOfSameNumber),
			builder.WithPredicates(predicate.Funcs{
				CreateFunc:  func(event.CreateEvent) bool { return true },
				DeleteFunc:  func(event.DeleteEvent) bool { return true },
				UpdateFunc:  func(e event.UpdateEvent) bool { return holdingChanged(e.ObjectOld, e.ObjectNew) },
				GenericFunc: func(event.GenericEvent) bool { return false },
			})).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.channelsOfPINSecret)).
		Complete(r)
}

// channelsOfPINSecret maps a Secret to the channels whose PIN it holds.
func (r *WhatsAppChannelReconciler) channelsOfPINSecret(ctx context.Context, s client.Object) []reconcile.Request {
	var list whatsappv1alpha1.WhatsAppChannelList
	if err := r.client.List(ctx, &list, client.InNamespace(s.GetNamespace()), client.MatchingFields{indexPINSecretName: s.GetName()}); err != nil {
		return nil
	}
	return requestsFor(list.Items)
}

func (r *WhatsAppChannelReconciler) channelsOfProvider(ctx context.Context, p client.Object) []reconcile.Request {
	var list whatsappv1alpha1.WhatsAppChannelList
	if err := r.client.List(ctx, &list, client.InNamespace(p.GetNamespace()), client.MatchingFields{indexProviderName: p.GetName()}); err != nil {
		return nil
	}
	return requestsFor(list.Items)
}

func (r *WhatsAppChannelReconciler) channelsOfSameNumber(ctx context.Context, o client.Object) []reconcile.Request {
	ch, ok := o.(*whatsappv1alpha1.WhatsAppChannel)
	if !ok {
		return nil
	}
	var list whatsappv1alpha1.WhatsAppChannelList
	if err := r.client.List(ctx, &list, client.MatchingFields{indexPhoneDigits: graph.Digits(ch.Spec.PhoneNumber)}); err != nil {
		return nil
	}
	var reqs []reconcile.Request
	for _, other := range list.Items {
		if other.UID != ch.UID {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&other)})
		}
	}
	return reqs
}

// holdingChanged tells whether a channel's update may change who holds its
// number: its number's id, its verification or its readiness changed.
func holdingChanged(oldObj, newObj client.Object) bool {
	o, ok1 := oldObj.(*whatsappv1alpha1.WhatsAppChannel)
	n, ok2 := newObj.(*whatsappv1alpha1.WhatsAppChannel)
	if !ok1 || !ok2 {
		return false
	}
	if o.Status.PhoneNumberID != n.Status.PhoneNumberID {
		return true
	}
	for _, t := range []string{whatsappv1alpha1.ConditionPhoneNumberVerified, whatsappv1alpha1.ConditionReady} {
		if conditions.IsTrue(o, t) != conditions.IsTrue(n, t) {
			return true
		}
	}
	return false
}

func requestsFor[T any, PT interface {
	*T
	client.Object
}](items []T) []reconcile.Request {
	reqs := make([]reconcile.Request, 0, len(items))
	for i := range items {
		reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(PT(&items[i]))})
	}
	return reqs
}
