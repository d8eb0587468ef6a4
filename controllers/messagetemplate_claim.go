package controllers

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
)

// claimTemplate refuses the template's name and language when an older
// MessageTemplate of the namespace describes the same Meta template: two
// objects editing one template would overwrite each other. The younger one
// waits until one of the two is deleted.
func (s *templateSync) claimTemplate(ctx context.Context) error {
	holder, err := s.olderTwin(ctx, s.t)
	if err != nil || holder == "" {
		return err
	}
	msg := fmt.Sprintf("%s is already described by MessageTemplate %s: delete one of the two (this one is left alone until then)", s.name, holder)
	conditions.Set(s.t, whatsappv1alpha1.ConditionSubmitted, metav1.ConditionFalse, whatsappv1alpha1.ReasonConflict, msg)
	return &waitForUser{reason: whatsappv1alpha1.ReasonConflict, message: msg}
}

// olderTwin names an older MessageTemplate of the namespace for the same
// Meta template (provider, name, language), or returns "": the oldest
// claimant wins.
func (r *MessageTemplateReconciler) olderTwin(ctx context.Context, t *whatsappv1alpha1.MessageTemplate) (string, error) {
	others, err := r.sameTemplate(ctx, t)
	if err != nil {
		return "", err
	}
	if o := olderClaimant(t, others, func(*whatsappv1alpha1.MessageTemplate) bool { return true }); o != nil {
		return o.Name, nil
	}
	return "", nil
}

// sameTemplateHolder names another live MessageTemplate of the namespace
// that describes the same Meta template (same provider, name and
// language), or returns "". Deleting one of two such objects must not
// delete the template the other still describes.
func (r *MessageTemplateReconciler) sameTemplateHolder(ctx context.Context, t *whatsappv1alpha1.MessageTemplate) (string, error) {
	others, err := r.sameTemplate(ctx, t)
	if err != nil || len(others) == 0 {
		return "", err
	}
	return others[0].Name, nil
}

// sameTemplate lists the other live MessageTemplates of the namespace with
// t's provider, template name and language.
func (r *MessageTemplateReconciler) sameTemplate(ctx context.Context, t *whatsappv1alpha1.MessageTemplate) ([]whatsappv1alpha1.MessageTemplate, error) {
	var list whatsappv1alpha1.MessageTemplateList
	if err := r.client.List(ctx, &list, client.InNamespace(t.Namespace), client.MatchingFields{indexProviderName: t.Spec.ProviderRef.Name}); err != nil {
		return nil, err
	}
	var out []whatsappv1alpha1.MessageTemplate
	for _, o := range list.Items {
		if o.UID != t.UID && o.DeletionTimestamp.IsZero() && o.TemplateName() == t.TemplateName() && o.Spec.Language == t.Spec.Language {
			out = append(out, o)
		}
	}
	return out, nil
}
