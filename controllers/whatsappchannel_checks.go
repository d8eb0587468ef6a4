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
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// numberHolder returns "namespace/name" of another channel that holds the
// same phone number, or "". The holder is the oldest claimant (by creation
// time, then name) still able to hold it, so the first channel is never
// disturbed by a second.
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
		if olderThan(o, ch) && holdsNumber(o) {
			return o.Namespace + "/" + o.Name, nil
		}
	}
	return "", nil
}

// olderThan orders two objects by creation time, then namespace and name.
func olderThan(a, b client.Object) bool {
	ta, tb := a.GetCreationTimestamp(), b.GetCreationTimestamp()
	if !ta.Equal(&tb) {
		return ta.Before(&tb)
	}
	return a.GetNamespace()+"/"+a.GetName() < b.GetNamespace()+"/"+b.GetName()
}

// holdsNumber tells whether a channel can hold its number against a
// younger one: not one that found no such number in its WABA (another
// tenant's typo must not block a working channel), nor one that is itself
// a duplicate.
func holdsNumber(o *whatsappv1alpha1.WhatsAppChannel) bool {
	stalled := conditions.Get(o, whatsappv1alpha1.ConditionStalled)
	return stalled == nil || (stalled.Reason != whatsappv1alpha1.ReasonPhoneNumberNotFound && stalled.Reason != whatsappv1alpha1.ReasonConflict)
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
