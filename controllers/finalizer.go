package controllers

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// addFinalizer adds our finalizer with a patch (no conflict on a stale copy).
func (b *base) addFinalizer(ctx context.Context, obj client.Object) error {
	return b.patchFinalizers(ctx, obj, controllerutil.AddFinalizer)
}

// removeFinalizer releases the object for deletion.
func (b *base) removeFinalizer(ctx context.Context, obj client.Object) error {
	if !controllerutil.ContainsFinalizer(obj, whatsappv1alpha1.Finalizer) {
		return nil
	}
	return ignoreNotFound(b.patchFinalizers(ctx, obj, controllerutil.RemoveFinalizer))
}

// patchFinalizers changes the finalizers through a copy, so the status this
// reconcile computed in obj is not overwritten by the server's answer, and
// then copies the new finalizers back.
func (b *base) patchFinalizers(ctx context.Context, obj client.Object, change func(client.Object, string) bool) error {
	cp := obj.DeepCopyObject().(client.Object)
	patch := client.MergeFrom(obj.DeepCopyObject().(client.Object))
	change(cp, whatsappv1alpha1.Finalizer)
	if err := b.client.Patch(ctx, cp, patch); err != nil {
		return err
	}
	obj.SetFinalizers(cp.GetFinalizers())
	return nil
}
