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
	wr, err := webhookresources.Apply(ctx, s.client, s.scheme, p, s.resources)
	if err != nil {
		msg := "cannot apply the webhook server's objects: " + err.Error()
		conditions.Set(p, whatsappv1alpha1.ConditionWebhookReady, metav1.ConditionFalse, whatsappv1alpha1.ReasonWaitingForWebhook, msg)
		return &retryLater{reason: whatsappv1alpha1.ReasonWaitingForWebhook, message: msg, cause: err}
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
		conditions.Set(p, whatsappv1alpha1.ConditionWebhookReady, metav1.ConditionFalse, whatsappv1alpha1.ReasonWaitingForWebhook, webhookWaitMessage(wr))
	}
	return nil
}

func webhookWaitMessage(wr webhookresources.Result) string {
	if wr.Message != "" {
		return fmt.Sprintf("waiting for webhook server %s: %s", wr.ServiceName, wr.Message)
	}
	return fmt.Sprintf("waiting for webhook server %s: %d/%d replicas ready", wr.ServiceName, wr.ReadyReplicas, wr.DesiredReplicas)
}
