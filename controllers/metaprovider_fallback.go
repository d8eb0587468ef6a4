package controllers

import (
	"context"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/relay"
)

// checkFallbackTemplate shows on the provider whether its relay can fall
// back to the template new_bot_message outside the 24-hour window, in the
// relay's own words (relay.FallbackTemplateProblem, the function the relay
// decides with). A ready relay without a usable template keeps
// RelayReady=True with reason FallbackTemplateUnavailable, and a Warning
// Event is recorded when that reason appears or the problem changes.
//
// It does not gate Ready (docs/decisions/018-fallback-template-does-not-gate-ready.md):
// templates are submitted only once their provider is Ready, so a
// provider waiting for its approved template would never get one.
// It returns the problem, "" when there is none.
func (s *providerSync) checkFallbackTemplate(ctx context.Context) (string, error) {
	p := s.p
	var templates whatsappv1alpha1.MessageTemplateList
	if err := s.client.List(ctx, &templates, client.InNamespace(p.Namespace)); err != nil {
		return "", fmt.Errorf("list MessageTemplates: %w", err)
	}
	problem := relay.FallbackTemplateProblem(p, templates.Items)
	if problem == "" || !s.relay.Ready {
		return problem, nil
	}
	message := relayReadyMessage(s.relay) + ", but " + problem
	was := s.relayWas
	if was == nil || was.Reason != whatsappv1alpha1.ReasonFallbackTemplateUnavailable || !strings.HasSuffix(was.Message, problem) {
		s.event(p, false, whatsappv1alpha1.ReasonFallbackTemplateUnavailable, message)
	}
	conditions.Set(p, whatsappv1alpha1.ConditionRelayReady, metav1.ConditionTrue, whatsappv1alpha1.ReasonFallbackTemplateUnavailable, message)
	return problem, nil
}
