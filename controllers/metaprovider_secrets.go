package controllers

import (
	"context"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/webhookresources"
)

// applyWebhookSecrets writes the Secrets derived from the credentials: the
// webhook server's (app secret(s), verify token, forwarding key; never the
// access token) and the forwarding key's, which chatbots read. It runs on
// every reconcile after the credentials were read, so a rotated app secret
// or verify token reaches the webhook server as soon as the credentials
// Secret's watch fires; an unchanged Secret is not modified. A failure
// counts against WebhookReady: without its Secret the server cannot verify
// what Meta sends.
func (s *providerSync) applyWebhookSecrets(ctx context.Context) error {
	err := webhookresources.ApplySecrets(ctx, s.workloadClients(), s.scheme, s.p, webhookresources.Credentials{
		AppSecret:         s.creds.AppSecret,
		AppSecretPrevious: s.creds.AppSecretPrevious,
		VerifyToken:       s.creds.VerifyToken,
	})
	if err != nil {
		return s.workloadFailure(whatsappv1alpha1.ConditionWebhookReady, whatsappv1alpha1.ReasonWaitingForWebhook, "webhook server", err)
	}
	return nil
}
