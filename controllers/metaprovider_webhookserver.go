package controllers

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/webhookresources"
)

// applyWebhookServer applies the managed webhook server's objects and
// records their readiness in status and the WebhookReady condition.
func (s *providerSync) applyWebhookServer(ctx context.Context) error {
	p := s.p
	wr, err := webhookresources.Apply(ctx, s.workloadClients(), s.scheme, p, s.resources)
	if err != nil {
		return s.workloadFailure(whatsappv1alpha1.ConditionWebhookReady, whatsappv1alpha1.ReasonWaitingForWebhook, "webhook server", err)
	}
	s.webhook = wr
	if p.Status.Webhook == nil {
		p.Status.Webhook = &whatsappv1alpha1.ProviderWebhookStatus{}
	}
	p.Status.Webhook.ServiceName, p.Status.Webhook.ReadyReplicas = wr.ServiceName, wr.ReadyReplicas
	if wr.Ready {
		conditions.Set(p, whatsappv1alpha1.ConditionWebhookReady, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded,
			fmt.Sprintf("webhook server %s has %d/%d ready replicas", wr.ServiceName, wr.ReadyReplicas, wr.DesiredReplicas))
	} else {
		conditions.Set(p, whatsappv1alpha1.ConditionWebhookReady, metav1.ConditionFalse, whatsappv1alpha1.ReasonWaitingForWebhook, workloadWaitMessage("webhook server", wr))
	}
	return nil
}

// workloadWaitMessage says what a workload waits for.
func workloadWaitMessage(what string, r webhookresources.Result) string {
	if r.Message != "" {
		return fmt.Sprintf("waiting for %s %s: %s", what, r.ServiceName, r.Message)
	}
	return fmt.Sprintf("waiting for %s %s: %d/%d replicas ready", what, r.ServiceName, r.ReadyReplicas, r.DesiredReplicas)
}
