package controllers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/redistest"
)

// TestSharedStateWithoutStore: more than one replica and no store says
// plainly that duplicates are possible, without blocking Ready; one
// replica is fine in memory.
func TestSharedStateWithoutStore(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	p := f.readyProvider("acme", func(p *whatsappv1alpha1.MetaProvider) {
		p.Spec.Webhook = &whatsappv1alpha1.ProviderWebhook{Replicas: ptr.To[int32](2)}
	})
	f.waitCondition(p, whatsappv1alpha1.ConditionSharedStateReady, metav1.ConditionFalse, whatsappv1alpha1.ReasonDuplicatesPossible)
	c := conditions.Get(p, whatsappv1alpha1.ConditionSharedStateReady)
	if !strings.Contains(c.Message, "may reach a chatbot twice") || !strings.Contains(c.Message, "spec.sharedState.redis") {
		t.Errorf("message does not say what happens and what to do: %q", c.Message)
	}
	if !conditions.IsTrue(p, whatsappv1alpha1.ConditionReady) || !strings.Contains(conditions.Get(p, whatsappv1alpha1.ConditionReady).Message, "warning: ") {
		t.Errorf("Ready must stay True and carry the warning: %+v", conditions.Get(p, whatsappv1alpha1.ConditionReady))
	}
	f.eventually("a Warning Event says duplicates are possible", func() bool { return hasEvent(f, "acme", whatsappv1alpha1.ReasonDuplicatesPossible) })

	one := f.readyProvider("solo")
	f.waitCondition(one, whatsappv1alpha1.ConditionSharedStateReady, metav1.ConditionTrue, whatsappv1alpha1.ReasonInMemory)
}

// TestSharedStateOutageShowsAndRecovers (issue 10): the operator asks the
// provider's Redis itself, with the password from the Secret; Redis
// killed makes SharedStateReady False (StoreUnavailable, a Warning Event)
// while Ready stays True; Redis back makes it True again.
func TestSharedStateOutageShowsAndRecovers(t *testing.T) {
	t.Parallel()
	srv, err := redistest.Start("--requirepass", "store-pass-91c2")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	f := newFixture(t, fixtureOptions{storeRecheck: 300 * time.Millisecond})
	f.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "redis"}, StringData: map[string]string{"password": "store-pass-91c2"}})
	p := f.readyProvider("acme", func(p *whatsappv1alpha1.MetaProvider) {
		p.Spec.Webhook = &whatsappv1alpha1.ProviderWebhook{Replicas: ptr.To[int32](2)}
		p.Spec.SharedState = &whatsappv1alpha1.SharedState{Redis: &whatsappv1alpha1.RedisStore{
			Address: srv.Addr(), PasswordSecretRef: &whatsappv1alpha1.SecretKeyReference{Name: "redis", Key: "password"},
		}}
	})
	f.waitCondition(p, whatsappv1alpha1.ConditionSharedStateReady, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded)

	srv.Kill()
	f.waitCondition(p, whatsappv1alpha1.ConditionSharedStateReady, metav1.ConditionFalse, whatsappv1alpha1.ReasonStoreUnavailable)
	msg := conditions.Get(p, whatsappv1alpha1.ConditionSharedStateReady).Message
	if !strings.Contains(msg, srv.Addr()) || !strings.Contains(msg, "at least once") || strings.Contains(msg, "store-pass-91c2") {
		t.Errorf("message must name the store and the consequence, never the password: %q", msg)
	}
	if !conditions.IsTrue(p, whatsappv1alpha1.ConditionReady) {
		t.Errorf("a store outage must not make the provider not Ready: %+v", conditions.Get(p, whatsappv1alpha1.ConditionReady))
	}
	f.eventually("a Warning Event names the outage", func() bool { return hasEvent(f, "acme", whatsappv1alpha1.ReasonStoreUnavailable) })

	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	f.waitCondition(p, whatsappv1alpha1.ConditionSharedStateReady, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded)
	for _, e := range f.events("acme") {
		if strings.Contains(e.Note, "store-pass-91c2") {
			t.Errorf("an Event shows the password: %q", e.Note)
		}
	}

	// A missing password Secret is named, not guessed at.
	f.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "other"}, StringData: map[string]string{"x": "y"}})
	latest := &whatsappv1alpha1.MetaProvider{ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: p.Name}}
	f.get(latest)
	latest.Spec.SharedState.Redis.PasswordSecretRef = &whatsappv1alpha1.SecretKeyReference{Name: "other", Key: "password"}
	if err := f.c.Update(context.Background(), latest); err != nil {
		t.Fatal(err)
	}
	f.waitCondition(p, whatsappv1alpha1.ConditionSharedStateReady, metav1.ConditionFalse, whatsappv1alpha1.ReasonStoreUnavailable)
	if msg := conditions.Get(p, whatsappv1alpha1.ConditionSharedStateReady).Message; !strings.Contains(msg, `has no key "password"`) {
		t.Errorf("message does not name the missing key: %q", msg)
	}
}

// hasEvent reports whether an Event of reason was recorded for name.
func hasEvent(f *fixture, name, reason string) bool {
	for _, e := range f.events(name) {
		if e.Reason == reason {
			return true
		}
	}
	return false
}
