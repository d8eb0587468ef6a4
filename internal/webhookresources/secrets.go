package webhookresources

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/workload"
)

const (
	// forwardingKeyBytes of crypto/rand make a key, written as hex.
	forwardingKeyBytes = 32
	// minForwardingKeyLen is the shortest forwarding key kept: a key
	// someone put in the Secret by hand must still be as strong as ours.
	minForwardingKeyLen = 2 * forwardingKeyBytes
	errReadForwarding   = "cannot read the forwarding key Secret %s/%s"
	errGenerate         = "cannot generate a forwarding key"
)

// Credentials are the values of the credentials Secret that the webhook
// server needs. The access token is not among them. Never log, print or put
// them in a status, an Event or an error.
type Credentials struct {
	AppSecret         string
	AppSecretPrevious string
	VerifyToken       string
}

// String keeps credentials out of any accidental %v.
func (Credentials) String() string { return "webhookresources.Credentials{redacted}" }

// ApplySecrets writes p's two derived Secrets, owned by p and labelled like
// its other webhook objects:
//
//   - ForwardingSecretName(p): the forwarding key, generated with
//     crypto/rand the first time and kept afterwards (a key of at least 64
//     characters put there by hand is kept too; deleting the Secret
//     generates a new one: the rotation);
//   - SecretName(p): appSecret, verifyToken (and appSecretPrevious when
//     set) copied from creds, plus the forwarding key. The webhook server's
//     Role may read this Secret and no other.
//
// A Secret of either name that p does not control is refused with a
// *workload.NotControlledError and left untouched. The Secrets are read
// through c.Live only: the operator caches no Secret data.
func ApplySecrets(ctx context.Context, c workload.Clients, scheme *runtime.Scheme, p *v1alpha1.MetaProvider, creds Credentials) error {
	owner, err := workload.OwnerOf(p, scheme)
	if err != nil {
		return err
	}
	key, err := forwardingKey(ctx, c, owner)
	if err != nil {
		return err
	}
	labels := workload.ObjectLabels(workload.ComponentWebhook, p.Name)
	forwarding := secretObject(owner, ForwardingSecretName(p.Name), labels, map[string][]byte{
		v1alpha1.SecretKeyForwardingKey: key,
	})
	data := map[string][]byte{
		v1alpha1.SecretKeyAppSecret:     []byte(creds.AppSecret),
		v1alpha1.SecretKeyVerifyToken:   []byte(creds.VerifyToken),
		v1alpha1.SecretKeyForwardingKey: key,
	}
	if creds.AppSecretPrevious != "" {
		data[v1alpha1.SecretKeyAppSecretPrevious] = []byte(creds.AppSecretPrevious)
	}
	webhook := secretObject(owner, SecretName(p.Name), labels, data)
	return workload.Apply(ctx, c, owner, []workload.Object{forwarding, webhook})
}

// forwardingKey returns the key in the forwarding Secret when owner
// controls it and it is long enough, else a new one. A Secret owner does
// not control is refused here already, before a key is read from it.
func forwardingKey(ctx context.Context, c workload.Clients, owner workload.Owner) ([]byte, error) {
	name := ForwardingSecretName(owner.Name)
	s := &corev1.Secret{}
	err := c.Live.Get(ctx, client.ObjectKey{Namespace: owner.Namespace, Name: name}, s)
	switch {
	case apierrors.IsNotFound(err):
		return newForwardingKey()
	case err != nil:
		return nil, fmt.Errorf(errReadForwarding+": %w", owner.Namespace, name, err)
	}
	if ctl := metav1.GetControllerOf(s); ctl == nil || ctl.UID != owner.UID {
		return nil, &workload.NotControlledError{Kind: "Secret", Namespace: owner.Namespace, Name: name, Owner: owner, Controller: ctl}
	}
	if k := bytes.TrimSpace(s.Data[v1alpha1.SecretKeyForwardingKey]); len(k) >= minForwardingKeyLen {
		return k, nil
	}
	return newForwardingKey()
}

// newForwardingKey is forwardingKeyBytes from crypto/rand, as hex: printable,
// so that it survives an environment variable, and used as it is.
func newForwardingKey() ([]byte, error) {
	raw := make([]byte, forwardingKeyBytes)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("%s: %w", errGenerate, err)
	}
	return []byte(hex.EncodeToString(raw)), nil
}

// secretObject is an Opaque Secret's Apply entry.
func secretObject(owner workload.Owner, name string, labels map[string]string, data map[string][]byte) workload.Object {
	return workload.Object{
		Kind: "Secret", Namespace: owner.Namespace, Name: name, Uncached: true,
		Config: corev1ac.Secret(name, owner.Namespace).
			WithLabels(labels).
			WithOwnerReferences(owner.Reference()).
			WithType(corev1.SecretTypeOpaque).
			WithData(data),
		New: func() client.Object { return &corev1.Secret{} },
	}
}
