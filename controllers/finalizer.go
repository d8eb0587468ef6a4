package controllers

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// addFinalizer adds our finalizer with a patch (no conflict on a stale copy).
func (b *base) addFinalizer(ctx context.Context, obj client.Object) error {
	patch := client.MergeFrom(obj.DeepCopyObject().(client.Object))
	controllerutil.AddFinalizer(obj, whatsappv1alpha1.Finalizer)
	return b.client.Patch(ctx, obj, patch)
}

// removeFinalizer releases the object for deletion.
func (b *base) removeFinalizer(ctx context.Context, obj client.Object) error {
	if !controllerutil.ContainsFinalizer(obj, whatsappv1alpha1.Finalizer) {
		return nil
	}
	patch := client.MergeFrom(obj.DeepCopyObject().(client.Object))
	controllerutil.RemoveFinalizer(obj, whatsappv1alpha1.Finalizer)
	return ignoreNotFound(b.client.Patch(ctx, obj, patch))
}

// cleanupGivesUp tells whether a failed cleanup call at Meta can never
// succeed, so waiting would only block the deletion forever: the
// credentials are gone or refused, or Meta no longer knows the object.
func cleanupGivesUp(err error) bool {
	switch graph.Classify(err) {
	case graph.ClassBadCredentials, graph.ClassPermission, graph.ClassNotFound:
		return true
	}
	return false
}
