package controllers

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// Reconcile brings one MessageTemplate to its spec.
func (r *MessageTemplateReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return reconcileObject(ctx, r.base, req, &whatsappv1alpha1.MessageTemplate{}, r)
}

// templateSync is one reconcile of a MessageTemplate: what its steps share.
type templateSync struct {
	*MessageTemplateReconciler
	*session
	t *whatsappv1alpha1.MessageTemplate
	// desired is what Meta is sent; hash identifies its content.
	desired graph.TemplateSpec
	hash    string
	// name says "template <name> (<language>)" in messages.
	name string
}

// sync runs the template's steps in order: its provider, its claim on the
// name and language, the template at Meta (found, taken over when this
// object created it or is told to adopt it, or submitted), an edit when the
// spec changed, and Meta's review status.
func (r *MessageTemplateReconciler) sync(ctx context.Context, t *whatsappv1alpha1.MessageTemplate) (ctrl.Result, error) {
	sess, err := r.openSession(ctx, t, t.Spec.ProviderRef.Name)
	if err != nil {
		return ctrl.Result{}, err
	}
	desired := desiredTemplate(t)
	s := &templateSync{
		MessageTemplateReconciler: r, session: sess, t: t,
		desired: desired, hash: contentHash(desired),
		name: fmt.Sprintf("template %s (%s)", desired.Name, desired.Language),
	}
	t.Status.Name = desired.Name

	if err := s.claimTemplate(ctx); err != nil {
		return ctrl.Result{}, err
	}
	live, err := s.findLive(ctx)
	if err != nil {
		return ctrl.Result{}, err
	}
	if live != nil && live.ID != t.Status.TemplateID {
		if err := s.takeOver(live); err != nil {
			return ctrl.Result{}, err
		}
	}
	if live == nil {
		if live, err = s.submit(ctx); err != nil {
			return ctrl.Result{}, err
		}
	}
	t.Status.TemplateID = live.ID
	if err := r.ensureFinalizer(ctx, t); err != nil {
		return ctrl.Result{}, err
	}
	if t.Status.ContentHash != s.hash && metaHolds(live, desired) {
		// Adopted, created or edited just before a restart: Meta already
		// holds this spec, and an edit would only spend Meta's edit budget.
		t.Status.ContentHash = s.hash
	}
	if t.Status.ContentHash != s.hash {
		if live, err = s.edit(ctx, live); err != nil {
			return ctrl.Result{}, err
		}
	}
	conditions.Set(t, whatsappv1alpha1.ConditionSubmitted, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded,
		fmt.Sprintf("%s is %s at Meta", s.name, live.ID))
	return s.judgeStatus(live)
}

// forget has nothing to drop: templates keep no memory in the controller.
func (r *MessageTemplateReconciler) forget(ctrl.Request) {}
