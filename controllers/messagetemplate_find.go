package controllers

import (
	"context"
	"fmt"
	"time"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// findLive returns the template as Meta holds it, or nil when Meta has none.
// The shared listing answers first; before any create, Meta is asked by exact
// name and language, so a restart between Meta's answer and the status
// write never creates a second template.
func (s *templateSync) findLive(ctx context.Context) (*graph.Template, error) {
	t := s.t
	list, err := s.listings.templateList(ctx, s.graph, s.waba, s.templateListingAge(t, s.interval))
	if err != nil {
		return nil, s.graphOutcome(err, whatsappv1alpha1.ReasonGraphAPIError)
	}
	name, lang := t.TemplateName(), t.Spec.Language
	for i := range list {
		l := &list[i]
		if (t.Status.TemplateID != "" && l.ID == t.Status.TemplateID) || (l.Name == name && l.Language == lang) {
			return l, nil
		}
	}
	if t.Status.TemplateID != "" {
		s.event(t, false, "DeletedAtMeta", fmt.Sprintf("template %s (%s), id %s, is gone from WhatsApp Business Account %s: submitting it again", name, lang, t.Status.TemplateID, s.waba))
		t.Status.TemplateID, t.Status.ContentHash, t.Status.ApprovalStatus = "", "", ""
	}
	found, err := s.graph.FindTemplate(ctx, s.waba, name, lang)
	if err != nil {
		return nil, s.graphOutcome(err, whatsappv1alpha1.ReasonGraphAPIError)
	}
	return found, nil
}

// templateListingAge: on a reconcile request a few seconds; for a template
// in review its polling interval; otherwise the provider's syncInterval.
func (r *MessageTemplateReconciler) templateListingAge(t *whatsappv1alpha1.MessageTemplate, interval time.Duration) time.Duration {
	age := r.listingAge(t, interval)
	if reviewing(t.Status.ApprovalStatus) {
		age = min(age, r.pendingPoll(t, interval))
	}
	return age
}
