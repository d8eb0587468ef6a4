package controllers

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/kubechat/whatsapp-operator/internal/conditions"
)

// kindReconciler is what a kind adds to the reconcile skeleton.
type kindReconciler[T statusObject] interface {
	// sync brings a live object towards its spec. It sets the conditions
	// of a success itself and returns its requeue; anything else it
	// returns as a typed outcome (retryLater, waitForUser, permanent) or
	// an API server error.
	sync(ctx context.Context, obj T) (ctrl.Result, error)
	// finalize undoes at Meta what a deleted object asked for, then
	// releases it.
	finalize(ctx context.Context, obj T) (ctrl.Result, error)
	// forget drops what the controller remembers of an object that no
	// longer exists.
	forget(req ctrl.Request)
}

// reconcileObject is the one reconcile skeleton of every kind: get the
// object, hand a deleted one to finalize (suspended or not, as Flux does),
// keep a copy of it as it was, leave a suspended one alone, sync it,
// settle the outcome onto its conditions, and write its status when it
// changed (finishStatus: observedGeneration, the reconcile-request mirror,
// Events on Ready transitions).
func reconcileObject[T statusObject](ctx context.Context, b *base, req ctrl.Request, obj T, k kindReconciler[T]) (ctrl.Result, error) {
	if err := b.client.Get(ctx, req.NamespacedName, obj); err != nil {
		if apierrors.IsNotFound(err) {
			k.forget(req)
		}
		return ctrl.Result{}, ignoreNotFound(err)
	}
	if !obj.GetDeletionTimestamp().IsZero() {
		return k.finalize(ctx, obj)
	}
	before := obj.DeepCopyObject().(T)
	conditions.MarkSeen(obj)
	if obj.IsSuspended() {
		// Flux's spec.suspend: no Graph call, no change; the status says
		// so (internal/conditions/suspend.go). Nothing is requeued: the
		// spec change that resumes it brings it back.
		conditions.MarkSuspended(obj)
		return ctrl.Result{}, b.finishStatus(ctx, obj, before, nil)
	}
	conditions.MarkResumed(obj)
	res, err := k.sync(ctx, obj)
	res, err = settle(obj, res, err)
	if serr := b.finishStatus(ctx, obj, before, err); serr != nil && err == nil {
		err = serr
	}
	return res, err
}
