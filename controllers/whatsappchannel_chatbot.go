package controllers

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
)

// checkChatbot tells whether the chatbot target resolves: a URL always
// does; a serviceRef needs the Service with the named or numbered port.
func (r *WhatsAppChannelReconciler) checkChatbot(ctx context.Context, ch *whatsappv1alpha1.WhatsAppChannel) (bool, string, error) {
	ref := ch.Spec.Chatbot.ServiceRef
	if ref == nil {
		return true, "webhooks go to " + conditions.URLOrigin(ch.Spec.Chatbot.URL), nil
	}
	svc := &corev1.Service{}
	if err := r.apiReader.Get(ctx, client.ObjectKey{Namespace: ch.Namespace, Name: ref.Name}, svc); err != nil {
		if apierrors.IsNotFound(err) {
			return false, fmt.Sprintf("chatbot Service %s/%s does not exist: create it or fix spec.chatbot.serviceRef", ch.Namespace, ref.Name), nil
		}
		return false, "", err
	}
	for _, port := range svc.Spec.Ports {
		if (ref.Port.Type == intstr.Int && port.Port == ref.Port.IntVal) || (ref.Port.Type == intstr.String && port.Name == ref.Port.StrVal) {
			return true, fmt.Sprintf("webhooks go to Service %s port %s, path %s", ref.Name, ref.Port.String(), ch.Spec.Chatbot.Path), nil
		}
	}
	return false, fmt.Sprintf("chatbot Service %s/%s has no port %s: fix spec.chatbot.serviceRef.port", ch.Namespace, ref.Name, ref.Port.String()), nil
}

// chatbotTarget names where the channel's webhooks go, for conditions and
// Events: a URL by its scheme and host only (conditions.URLOrigin).
func chatbotTarget(ch *whatsappv1alpha1.WhatsAppChannel) string {
	if ch.Spec.Chatbot.URL != "" {
		return conditions.URLOrigin(ch.Spec.Chatbot.URL)
	}
	ref := ch.Spec.Chatbot.ServiceRef
	return fmt.Sprintf("Service %s port %s path %s", ref.Name, ref.Port.String(), ch.Spec.Chatbot.Path)
}
