package controllers

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// numberHolder returns "namespace/name" of another channel that holds the
// same phone number, or "". The holder is the oldest claimant (by creation
// time, then name), so the first channel is never disturbed by a second.
func (r *WhatsAppChannelReconciler) numberHolder(ctx context.Context, ch *whatsappv1alpha1.WhatsAppChannel) (string, error) {
	var list whatsappv1alpha1.WhatsAppChannelList
	if err := r.client.List(ctx, &list, client.MatchingFields{indexPhoneDigits: graph.Digits(ch.Spec.PhoneNumber)}); err != nil {
		return "", err
	}
	for i := range list.Items {
		o := &list.Items[i]
		if o.UID == ch.UID || !o.DeletionTimestamp.IsZero() {
			continue
		}
		if claimsFirst(o, ch) {
			return o.Namespace + "/" + o.Name, nil
		}
	}
	return "", nil
}

func claimsFirst(a, b *whatsappv1alpha1.WhatsAppChannel) bool {
	if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
	}
	return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
}

// checkChatbot tells whether the chatbot target resolves: a URL always
// does; a serviceRef needs the Service with the named or numbered port.
func (r *WhatsAppChannelReconciler) checkChatbot(ctx context.Context, ch *whatsappv1alpha1.WhatsAppChannel) (bool, string, error) {
	ref := ch.Spec.Chatbot.ServiceRef
	if ref == nil {
		return true, "webhooks go to " + ch.Spec.Chatbot.URL, nil
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
