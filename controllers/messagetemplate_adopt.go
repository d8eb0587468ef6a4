package controllers

import (
	"context"
	"encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// takeOver decides whether this object may manage live: a template of its
// name and language that Meta holds and that status does not record as
// this object's. It may when this object created it (a create whose answer
// was lost: status.createPendingSince is set) or when the object asks for
// it with the adopt annotation. Otherwise the template is left alone, not
// edited and never deleted at Meta, and the object waits for a human.
func (s *templateSync) takeOver(live *graph.Template) error {
	t := s.t
	switch {
	case t.Status.CreatePendingSince != nil:
		s.event(t, true, "Submitted", fmt.Sprintf("%s is id %s at Meta: this object created it before (Meta's answer was lost)", s.name, live.ID))
	case t.GetAnnotations()[whatsappv1alpha1.AdoptAnnotation] == "true":
		s.event(t, true, "Adopted", fmt.Sprintf("adopted %s, id %s (%s at Meta): it is edited to this spec from now on%s", s.name, live.ID, live.Status, deletionNote(t)))
	default:
		msg := adoptionRequired(s.name, live.ID, string(live.Status))
		conditions.Set(t, whatsappv1alpha1.ConditionSubmitted, metav1.ConditionFalse, whatsappv1alpha1.ReasonAdoptionRequired, msg)
		return &waitForUser{reason: whatsappv1alpha1.ReasonAdoptionRequired, message: msg}
	}
	t.Status.CreatePendingSince = nil
	return nil
}

// adoptionRequired says that Meta holds a template this object did not
// create, and what to do.
func adoptionRequired(name, id, status string) string {
	held := "Meta already holds " + name
	if id != "" {
		held += fmt.Sprintf(" (id %s, %s)", id, status)
	}
	return held + ", and this MessageTemplate did not create it: it is left alone. To manage it from here (it is then edited to this spec and, with deletionPolicy Delete, deleted at Meta with this object), annotate this object " +
		whatsappv1alpha1.AdoptAnnotation + `="true"; otherwise choose another spec.name`
}

// deletionNote says what deleting the object will do to the adopted template.
func deletionNote(t *whatsappv1alpha1.MessageTemplate) string {
	if t.Spec.DeletionPolicy == whatsappv1alpha1.DeletionPolicyOrphan {
		return "; deleting this object leaves it at Meta (deletionPolicy Orphan)"
	}
	return "; deleting this object deletes it at Meta (deletionPolicy Delete)"
}

// writeCreateState writes, at once, what must survive a crash around a
// create at Meta: status.createPendingSince before the create, and Meta's
// id (with the pending mark cleared) right after it. The rest of the
// status is written at the end of the reconcile as usual.
func (s *templateSync) writeCreateState(ctx context.Context, pendingSince *metav1.Time, templateID string) error {
	status := map[string]any{"createPendingSince": pendingSince}
	if templateID != "" {
		status["templateID"] = templateID
	}
	data, err := json.Marshal(map[string]any{"status": status})
	if err != nil {
		return err
	}
	// A copy: the answer must not overwrite what this reconcile computed.
	if err := s.client.Status().Patch(ctx, s.t.DeepCopy(), client.RawPatch(types.MergePatchType, data)); err != nil {
		return err
	}
	s.t.Status.CreatePendingSince = pendingSince
	if templateID != "" {
		s.t.Status.TemplateID = templateID
	}
	return nil
}
