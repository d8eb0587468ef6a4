package controllers

import (
	"context"
	"fmt"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// credentials are the values of a provider's Secret. Never log, print or
// put them in a status, an Event or an error.
type credentials struct {
	AccessToken string
	AppSecret   string
	VerifyToken string
	// AppSecretPrevious is optional: an app secret still accepted during a
	// rotation, copied to the webhook server's Secret.
	AppSecretPrevious string
}

// String keeps credentials out of any accidental %v.
func (credentials) String() string { return "credentials{redacted}" }

// credentialsError says which part of the Secret is missing, without values.
type credentialsError struct {
	Reason  string
	Message string
}

func (e *credentialsError) Error() string { return e.Message }

// loadCredentials reads the provider's Secret. A missing Secret or key is a
// *credentialsError naming it; other errors are API errors.
func (b *base) loadCredentials(ctx context.Context, p *whatsappv1alpha1.MetaProvider) (*credentials, error) {
	name := p.Spec.CredentialsSecretRef.Name
	key := client.ObjectKey{Namespace: p.Namespace, Name: name}
	// The manager caches Secrets metadata-only (never their data, and never
	// every Secret's data in memory). The resourceVersion from that cache
	// says whether the values read last are still current; only a changed
	// Secret costs an API read.
	meta := &metav1.PartialObjectMetadata{}
	meta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	if err := b.client.Get(ctx, key, meta); err == nil {
		if c, ok := b.secrets.get(key, meta.ResourceVersion); ok {
			return c, nil
		}
	}
	s := &corev1.Secret{}
	if err := b.apiReader.Get(ctx, key, s); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, &credentialsError{
				Reason:  whatsappv1alpha1.ReasonSecretNotFound,
				Message: fmt.Sprintf("Secret %s/%s named in spec.credentialsSecretRef does not exist: create it with the keys accessToken, appSecret and verifyToken", p.Namespace, name),
			}
		}
		return nil, fmt.Errorf("read Secret %s/%s: %w", p.Namespace, name, err)
	}
	var missing []string
	get := func(key string) string {
		v := strings.TrimSpace(string(s.Data[key]))
		if v == "" {
			missing = append(missing, key)
		}
		return v
	}
	c := &credentials{
		AccessToken: get(whatsappv1alpha1.SecretKeyAccessToken),
		AppSecret:   get(whatsappv1alpha1.SecretKeyAppSecret),
		VerifyToken: get(whatsappv1alpha1.SecretKeyVerifyToken),
		// Optional: read without get, which counts it missing.
		AppSecretPrevious: strings.TrimSpace(string(s.Data[whatsappv1alpha1.SecretKeyAppSecretPrevious])),
	}
	if len(missing) > 0 {
		return nil, &credentialsError{
			Reason:  whatsappv1alpha1.ReasonSecretKeyMissing,
			Message: fmt.Sprintf("Secret %s/%s lacks the key(s) %s (or they are empty): add them; the operator picks the change up at once", p.Namespace, name, strings.Join(missing, ", ")),
		}
	}
	b.secrets.put(key, s.ResourceVersion, c)
	return c, nil
}

// secretValues remembers the credentials read from each Secret with the
// resourceVersion they were read at.
type secretValues struct {
	mu      sync.Mutex
	entries map[client.ObjectKey]secretEntry
}

type secretEntry struct {
	resourceVersion string
	creds           *credentials
}

func newSecretValues() *secretValues {
	return &secretValues{entries: map[client.ObjectKey]secretEntry{}}
}

func (s *secretValues) get(key client.ObjectKey, rv string) (*credentials, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[key]
	if !ok || rv == "" || e.resourceVersion != rv {
		return nil, false
	}
	return e.creds, true
}

func (s *secretValues) put(key client.ObjectKey, rv string, c *credentials) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries[key] = secretEntry{resourceVersion: rv, creds: c}
}
