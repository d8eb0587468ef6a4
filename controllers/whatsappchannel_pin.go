package controllers

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// readPIN reads the two-step verification PIN named in
// spec.registration.pinSecretRef, with the Secret's resourceVersion. It is
// read only when a registration is due, straight from the API server (the
// manager caches no Secret data). The PIN never leaves this function but
// into the register call: no status, Event, log or error holds it.
func (s *channelSync) readPIN(ctx context.Context) (pin, version string, err error) {
	ch := s.ch
	ref := ch.Spec.Registration.PINSecretRef
	secret := &corev1.Secret{}
	if err := s.apiReader.Get(ctx, client.ObjectKey{Namespace: ch.Namespace, Name: ref.Name}, secret); err != nil {
		if apierrors.IsNotFound(err) {
			return "", "", &waitForUser{reason: whatsappv1alpha1.ReasonSecretNotFound,
				message: fmt.Sprintf("Secret %s/%s named in spec.registration.pinSecretRef does not exist: create it with the key %s holding the number's six-digit two-step verification PIN",
					ch.Namespace, ref.Name, ref.Key)}
		}
		return "", "", fmt.Errorf("read Secret %s/%s: %w", ch.Namespace, ref.Name, err)
	}
	value, ok := secret.Data[ref.Key]
	if !ok || len(strings.TrimSpace(string(value))) == 0 {
		return "", "", &waitForUser{reason: whatsappv1alpha1.ReasonSecretKeyMissing,
			message: fmt.Sprintf("Secret %s/%s lacks the key %s named in spec.registration.pinSecretRef (or it is empty): add the number's six-digit two-step verification PIN there",
				ch.Namespace, ref.Name, ref.Key)}
	}
	pin = strings.TrimSpace(string(value))
	if len(pin) != 6 || graph.Digits(pin) != pin {
		return "", "", &waitForUser{reason: whatsappv1alpha1.ReasonInvalidPIN,
			message: fmt.Sprintf("the key %s of Secret %s/%s must hold exactly six digits, the number's two-step verification PIN", ref.Key, ch.Namespace, ref.Name)}
	}
	return pin, secret.ResourceVersion, nil
}
