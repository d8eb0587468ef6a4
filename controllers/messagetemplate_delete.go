package controllers

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// finalize deletes the template at Meta (by name and hsm_id, so other
// languages of the name stay) when deletionPolicy is Delete, then releases
// the object. When the provider or its credentials are gone (namespace
// teardown), it says what was left behind in an Event and lets go.
func (r *MessageTemplateReconciler) finalize(ctx context.Context, t *whatsappv1alpha1.MessageTemplate) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(t, whatsappv1alpha1.Finalizer) {
		return ctrl.Result{}, nil
	}
	name := fmt.Sprintf("template %s (%s)", t.TemplateName(), t.Spec.Language)
	if t.Spec.DeletionPolicy == whatsappv1alpha1.DeletionPolicyOrphan {
		return ctrl.Result{}, r.removeFinalizer(ctx, t)
	}
	if holder, err := r.sameTemplateHolder(ctx, t); err != nil || holder != "" {
		if holder != "" {
			r.event(t, true, whatsappv1alpha1.ReasonDeleting, fmt.Sprintf("left %s at Meta: MessageTemplate %s describes it too", name, holder))
			return ctrl.Result{}, r.removeFinalizer(ctx, t)
		}
		return ctrl.Result{}, err
	}
	p, err := r.getProvider(ctx, t.Namespace, t.Spec.ProviderRef.Name)
	if err != nil {
		if !apierrors.IsNotFound(err) {
			return ctrl.Result{}, err
		}
		r.event(t, false, whatsappv1alpha1.ReasonDeleting, fmt.Sprintf("left %s (id %s) at Meta: MetaProvider %s is gone; delete it in WhatsApp Manager if no longer wanted", name, t.Status.TemplateID, t.Spec.ProviderRef.Name))
		return ctrl.Result{}, r.removeFinalizer(ctx, t)
	}
	creds, err := r.loadCredentials(ctx, p)
	if err != nil {
		var ce *credentialsError
		if !errors.As(err, &ce) {
			return ctrl.Result{}, err
		}
		r.event(t, false, whatsappv1alpha1.ReasonDeleting, fmt.Sprintf("left %s (id %s) at Meta: %s", name, t.Status.TemplateID, ce.Message))
		return ctrl.Result{}, r.removeFinalizer(ctx, t)
	}
	gc := r.graphClient(p, creds)
	if t.Status.TemplateID == "" {
		if t.Status.CreatePendingSince == nil {
			// Never created nor adopted by this object: whatever Meta holds
			// under this name is someone else's.
			return ctrl.Result{}, r.removeFinalizer(ctx, t)
		}
		// Deleted before the id was recorded (a restart mid-submit): Meta
		// may hold it all the same.
		found, err := gc.FindTemplate(ctx, p.Spec.BusinessAccountID, t.TemplateName(), t.Spec.Language)
		if err != nil && !cleanupGivesUp(err) {
			return ctrl.Result{}, err
		}
		if found == nil {
			return ctrl.Result{}, r.removeFinalizer(ctx, t)
		}
		t.Status.TemplateID = found.ID
	}
	if err := gc.DeleteTemplate(ctx, p.Spec.BusinessAccountID, t.TemplateName(), t.Status.TemplateID); err != nil {
		if !cleanupGivesUp(err) {
			return ctrl.Result{}, err
		}
		r.event(t, false, whatsappv1alpha1.ReasonDeleting, fmt.Sprintf("could not delete %s (id %s) at Meta: %s", name, t.Status.TemplateID, graph.Describe(err)))
		return ctrl.Result{}, r.removeFinalizer(ctx, t)
	}
	r.listings.removeTemplate(p.Spec.BusinessAccountID, t.Status.TemplateID)
	r.event(t, true, whatsappv1alpha1.ReasonDeleting, fmt.Sprintf("deleted %s (id %s) at Meta", name, t.Status.TemplateID))
	return ctrl.Result{}, r.removeFinalizer(ctx, t)
}
