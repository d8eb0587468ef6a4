package controllers

import (
	"context"
	"errors"
	"fmt"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// finalize unsubscribes the app from the WABA when no other MetaProvider
// uses the same WABA and app, then releases the provider. The webhook
// server's objects go with it through their owner references.
func (r *MetaProviderReconciler) finalize(ctx context.Context, p *whatsappv1alpha1.MetaProvider) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(p, whatsappv1alpha1.Finalizer) {
		return ctrl.Result{}, nil
	}
	// Templates with deletionPolicy Delete need this provider's credentials
	// to delete themselves at Meta: when a whole directory is deleted (or
	// pruned) at once, the provider goes last.
	if waiting, err := r.templatesStillDeleting(ctx, p); err != nil || waiting > 0 {
		if err == nil {
			msg := fmt.Sprintf("waiting for %d MessageTemplate(s) of this provider to be deleted at Meta", waiting)
			conditions.MarkReconciling(p, whatsappv1alpha1.ReasonDeleting, msg)
			_ = r.client.Status().Update(ctx, p)
		}
		return ctrl.Result{RequeueAfter: deletionRecheck}, err
	}
	shared, err := r.wabaSharedWith(ctx, p)
	if err != nil {
		return ctrl.Result{}, err
	}
	if shared != "" {
		r.event(p, true, whatsappv1alpha1.ReasonDeleting, fmt.Sprintf("left the app subscribed to WhatsApp Business Account %s: MetaProvider %s still uses it", p.Spec.BusinessAccountID, shared))
		return ctrl.Result{}, r.removeFinalizer(ctx, p)
	}
	creds, err := r.loadCredentials(ctx, p)
	if err != nil {
		var ce *credentialsError
		if errors.As(err, &ce) {
			// Escape hatch (namespace teardown deletes the Secret too): say
			// what was left behind and let the deletion finish.
			r.event(p, false, whatsappv1alpha1.ReasonDeleting, fmt.Sprintf("could not unsubscribe the app from WhatsApp Business Account %s (%s); unsubscribe it in Meta's dashboard if no longer wanted", p.Spec.BusinessAccountID, ce.Message))
			return ctrl.Result{}, r.removeFinalizer(ctx, p)
		}
		return ctrl.Result{}, err
	}
	if err := r.graphClient(p, creds).UnsubscribeApp(ctx, p.Spec.BusinessAccountID); err != nil {
		if !cleanupGivesUp(err) {
			return ctrl.Result{}, err
		}
		r.event(p, false, whatsappv1alpha1.ReasonDeleting, fmt.Sprintf("could not unsubscribe the app from WhatsApp Business Account %s: %s", p.Spec.BusinessAccountID, graph.Describe(err)))
		return ctrl.Result{}, r.removeFinalizer(ctx, p)
	}
	r.event(p, true, whatsappv1alpha1.ReasonDeleting, fmt.Sprintf("unsubscribed the app from WhatsApp Business Account %s", p.Spec.BusinessAccountID))
	r.checks.forget(client.ObjectKeyFromObject(p))
	return ctrl.Result{}, r.removeFinalizer(ctx, p)
}

// wabaSharedWith names another live MetaProvider of the same WABA and app,
// in any namespace, or returns "".
func (r *MetaProviderReconciler) wabaSharedWith(ctx context.Context, p *whatsappv1alpha1.MetaProvider) (string, error) {
	var list whatsappv1alpha1.MetaProviderList
	if err := r.client.List(ctx, &list, client.MatchingFields{indexBusinessAccount: p.Spec.BusinessAccountID}); err != nil {
		return "", err
	}
	for _, o := range list.Items {
		if o.UID == p.UID || !o.DeletionTimestamp.IsZero() || o.Spec.AppID != p.Spec.AppID {
			continue
		}
		return o.Namespace + "/" + o.Name, nil
	}
	return "", nil
}

// deletionRecheck is how often a deleting provider looks whether its
// templates are gone.
const deletionRecheck = 2 * time.Second

// templatesStillDeleting counts this provider's templates that are being
// deleted and still hold our finalizer, while the credentials they need
// exist. (Without the Secret they cannot reach Meta and release themselves.)
func (r *MetaProviderReconciler) templatesStillDeleting(ctx context.Context, p *whatsappv1alpha1.MetaProvider) (int, error) {
	var list whatsappv1alpha1.MessageTemplateList
	if err := r.client.List(ctx, &list, client.InNamespace(p.Namespace), client.MatchingFields{indexProviderName: p.Name}); err != nil {
		return 0, err
	}
	n := 0
	for _, t := range list.Items {
		if controllerutil.ContainsFinalizer(&t, whatsappv1alpha1.Finalizer) && t.Spec.DeletionPolicy != whatsappv1alpha1.DeletionPolicyOrphan {
			n++
		}
	}
	if n == 0 {
		return 0, nil
	}
	if _, err := r.loadCredentials(ctx, p); err != nil {
		var ce *credentialsError
		if errors.As(err, &ce) {
			return 0, nil
		}
		return 0, err
	}
	return n, nil
}
