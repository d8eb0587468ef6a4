package controllers

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// session is what one reconcile of a channel or a template works with: its
// Ready provider, the provider's credentials and Graph client, the WABA and
// the resync interval.
type session struct {
	provider *whatsappv1alpha1.MetaProvider
	creds    *credentials
	graph    *graph.Client
	waba     string
	interval time.Duration
}

// openSession returns the session of obj's provider when that provider is
// Ready. Otherwise it returns a retryLater without a requeue: the provider
// is watched, so obj resumes by itself when it becomes Ready. No Graph call
// is made for an object whose provider is not Ready.
func (b *base) openSession(ctx context.Context, obj statusObject, providerName string) (*session, error) {
	p, err := b.getProvider(ctx, obj.GetNamespace(), providerName)
	if apierrors.IsNotFound(err) {
		return nil, &retryLater{reason: whatsappv1alpha1.ReasonProviderNotFound,
			message: fmt.Sprintf("MetaProvider %s/%s does not exist: create it or fix spec.providerRef.name", obj.GetNamespace(), providerName)}
	}
	if err != nil {
		return nil, err
	}
	if !conditions.IsTrue(p, whatsappv1alpha1.ConditionReady) {
		why := "it has not been reconciled yet"
		if c := conditions.Get(p, whatsappv1alpha1.ConditionReady); c != nil && c.Message != "" {
			why = c.Message
		}
		return nil, &retryLater{reason: whatsappv1alpha1.ReasonProviderNotReady,
			message: fmt.Sprintf("MetaProvider %s is not Ready: %s", providerName, why)}
	}
	creds, err := b.loadCredentials(ctx, p)
	if err != nil {
		var ce *credentialsError
		if !errors.As(err, &ce) {
			return nil, err // the API server: retried with backoff
		}
		// The provider sees the same Secret and will flip to not Ready,
		// which the provider watch brings back here.
		return nil, &retryLater{reason: whatsappv1alpha1.ReasonProviderNotReady,
			message: fmt.Sprintf("MetaProvider %s: %s", providerName, ce.Message)}
	}
	return &session{
		provider: p,
		creds:    creds,
		graph:    b.graphClient(p, creds),
		waba:     p.Spec.BusinessAccountID,
		interval: syncInterval(p),
	}, nil
}

// graphOutcome maps a failed Graph call of this session (see graphOutcome).
func (s *session) graphOutcome(err error, refusal string) error {
	return graphOutcome(err, graphCall{interval: s.interval, refusal: refusal})
}
