package controllers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
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
	if wait, err := r.waitForTemplates(ctx, p); err != nil || wait > 0 {
		return ctrl.Result{RequeueAfter: wait}, err
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

// Waiting for templates, when a provider is deleted.
const (
	// deletionSettle is how long a deleted provider waits for templates
	// deleted together with it (kubectl delete -f dir/, an Argo CD prune)
	// to be marked deleted: the deletions arrive one after another, and
	// the provider's may come first.
	deletionSettle = 5 * time.Second
	// deletionRecheck and deletionRecheckMax bound the delay between two
	// looks at templates being deleted: the delay grows with the age of
	// the provider's deletion. A template that is gone wakes the provider
	// at once (the template watch); the delay is the safety net.
	deletionRecheck    = 2 * time.Second
	deletionRecheckMax = time.Minute
)

// waitForTemplates returns how long the deleted provider p must wait before
// it may go: 0 once no template that is being deleted still needs its
// credentials. Templates nobody deletes do not hold it (past
// deletionSettle): they stay, and say later that their provider is gone.
// The Deleting condition is written only when its message changes.
func (r *MetaProviderReconciler) waitForTemplates(ctx context.Context, p *whatsappv1alpha1.MetaProvider) (time.Duration, error) {
	deleting, staying, err := r.templatesNeedingCredentials(ctx, p)
	if err != nil || deleting+staying == 0 {
		return 0, err
	}
	age := r.now().Sub(p.DeletionTimestamp.Time)
	if deleting == 0 {
		if age >= deletionSettle {
			return 0, nil
		}
		return deletionSettle - age, nil
	}
	before := p.DeepCopy()
	conditions.MarkReconciling(p, whatsappv1alpha1.ReasonDeleting,
		fmt.Sprintf("waiting for %d MessageTemplate(s) of this provider to be deleted at Meta", deleting))
	if !equality.Semantic.DeepEqual(before.Status, p.Status) {
		if err := r.client.Status().Patch(ctx, p, client.MergeFrom(before)); err != nil {
			return 0, ignoreNotFound(err)
		}
	}
	return min(max(age, deletionRecheck), deletionRecheckMax), nil
}

// templatesNeedingCredentials counts this provider's templates with
// deletionPolicy Delete that hold our finalizer: those being deleted, and
// the others. Without the credentials Secret they cannot reach Meta
// anyway, so then none is counted (namespace teardown).
func (r *MetaProviderReconciler) templatesNeedingCredentials(ctx context.Context, p *whatsappv1alpha1.MetaProvider) (deleting, staying int, err error) {
	var list whatsappv1alpha1.MessageTemplateList
	if err := r.client.List(ctx, &list, client.InNamespace(p.Namespace), client.MatchingFields{indexProviderName: p.Name}); err != nil {
		return 0, 0, err
	}
	for _, t := range list.Items {
		if !controllerutil.ContainsFinalizer(&t, whatsappv1alpha1.Finalizer) || t.Spec.DeletionPolicy == whatsappv1alpha1.DeletionPolicyOrphan {
			continue
		}
		if t.DeletionTimestamp.IsZero() {
			staying++
		} else {
			deleting++
		}
	}
	if deleting+staying == 0 {
		return 0, 0, nil
	}
	if _, err := r.loadCredentials(ctx, p); err != nil {
		var ce *credentialsError
		if errors.As(err, &ce) {
			return 0, 0, nil
		}
		return 0, 0, err
	}
	return deleting, staying, nil
}
