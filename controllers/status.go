package controllers

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
)

// statusObject is what every kind of this API is.
type statusObject interface {
	client.Object
	conditions.Setter
	GetReconcileStatus() *whatsappv1alpha1.ReconcileStatus
	// IsSuspended tells whether spec.suspend is true.
	IsSuspended() bool
}

// finishStatus applies the rules every kind shares and writes the status
// when it differs from before:
//   - status.observedGeneration only when the object ended Ready or Stalled
//     (or suspended);
//   - the reconcile-request annotation mirrored in
//     status.lastHandledReconcileAt once a reconcile succeeded;
//   - an Event on each transition of Ready (Normal when True, Warning
//     otherwise), with the condition's message.
func (b *base) finishStatus(ctx context.Context, obj, before statusObject, syncErr error) error {
	rs := obj.GetReconcileStatus()
	if conditions.Final(obj) {
		rs.ObservedGeneration = obj.GetGeneration()
	}
	// A request counts as handled only by a reconcile that succeeded: the
	// retry of a failed one must still take its fresh look.
	if v, ok := obj.GetAnnotations()[whatsappv1alpha1.ReconcileRequestAnnotation]; ok && syncErr == nil {
		rs.LastHandledReconcileAt = v
	}
	b.eventOnTransition(obj, before)
	if equality.Semantic.DeepEqual(before.GetReconcileStatus(), rs) && sameKindStatus(before, obj) {
		return nil
	}
	if err := b.client.Status().Patch(ctx, obj, client.MergeFrom(before)); err != nil {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("patch status: %w", err)
	}
	return nil
}

// sameKindStatus compares the whole status of two objects of one kind.
func sameKindStatus(a, b statusObject) bool {
	switch x := a.(type) {
	case *whatsappv1alpha1.MetaProvider:
		return equality.Semantic.DeepEqual(x.Status, b.(*whatsappv1alpha1.MetaProvider).Status)
	case *whatsappv1alpha1.WhatsAppChannel:
		return equality.Semantic.DeepEqual(x.Status, b.(*whatsappv1alpha1.WhatsAppChannel).Status)
	case *whatsappv1alpha1.MessageTemplate:
		return equality.Semantic.DeepEqual(x.Status, b.(*whatsappv1alpha1.MessageTemplate).Status)
	}
	return false
}

// eventOnTransition records an Event when Ready changes status or reason.
func (b *base) eventOnTransition(obj, before statusObject) {
	now := conditions.Get(obj, whatsappv1alpha1.ConditionReady)
	if now == nil || now.Status == metav1.ConditionUnknown {
		return
	}
	was := conditions.Get(before, whatsappv1alpha1.ConditionReady)
	if was != nil && was.Status == now.Status && was.Reason == now.Reason {
		return
	}
	// Suspending is what the user asked for: good news, whatever the
	// status it keeps.
	b.event(obj, now.Status == metav1.ConditionTrue || now.Reason == whatsappv1alpha1.ReasonSuspended, now.Reason, now.Message)
}

// event records one Event; Normal for good news, Warning otherwise.
func (b *base) event(obj client.Object, good bool, reason, message string) {
	typ := corev1.EventTypeWarning
	if good {
		typ = corev1.EventTypeNormal
	}
	b.recorder.Eventf(obj, nil, typ, reason, "Reconcile", "%s", message)
}
