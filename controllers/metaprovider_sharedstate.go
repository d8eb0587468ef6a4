package controllers

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/sharedstore"
)

// The operator reads the CA of a provider's store from a ConfigMap
// (spec.sharedState.redis.tls.caConfigMapRef) for its own check.
// +kubebuilder:rbac:groups=core,resources=configmaps,verbs=get

// sharedStateVerdict is what SharedStateReady says.
type sharedStateVerdict struct {
	status  metav1.ConditionStatus
	reason  string
	message string
}

// checkSharedState sets SharedStateReady (decision 024): the operator asks
// the provider's store itself, with the pods' address and password, at
// each reconcile; between reconciles storeWatch asks every
// Options.SharedStoreRecheck and brings the provider back when the answer
// changed. It never gates Ready. It returns the problem to append to
// Ready's message ("" when none).
func (s *providerSync) checkSharedState(ctx context.Context) (problem string) {
	v := s.sharedStateVerdict(ctx)
	was := conditions.Get(s.p, whatsappv1alpha1.ConditionSharedStateReady)
	changed := was == nil || was.Status != v.status || was.Reason != v.reason
	if changed && (was != nil || v.status != metav1.ConditionTrue) {
		s.event(s.p, v.status == metav1.ConditionTrue, v.reason, v.message)
	}
	conditions.Set(s.p, whatsappv1alpha1.ConditionSharedStateReady, v.status, v.reason, v.message)
	if v.status == metav1.ConditionTrue {
		return ""
	}
	return v.message
}

// sharedStateVerdict decides SharedStateReady.
func (s *providerSync) sharedStateVerdict(ctx context.Context) sharedStateVerdict {
	p := s.p
	if p.Spec.SharedState == nil || p.Spec.SharedState.Redis == nil {
		webhooks, relays := replicasOf(p)
		if webhooks <= 1 && relays <= 1 {
			return sharedStateVerdict{metav1.ConditionTrue, whatsappv1alpha1.ReasonInMemory,
				"one webhook and one relay replica: the dedupe memory and the send budgets are kept in memory"}
		}
		return sharedStateVerdict{metav1.ConditionFalse, whatsappv1alpha1.ReasonDuplicatesPossible, fmt.Sprintf(
			"%d webhook and %d relay replica(s) and no spec.sharedState: each webhook replica remembers deliveries on its own, so Meta's retries may reach a chatbot twice, and each relay replica sends at 1/%d of a number's rate; set spec.sharedState.redis to share them",
			webhooks, relays, relays)}
	}
	r := p.Spec.SharedState.Redis
	cfg, err := s.storeConfig(ctx, r)
	if err == nil {
		err = pingStore(ctx, cfg)
	}
	if err != nil {
		return sharedStateVerdict{metav1.ConditionFalse, whatsappv1alpha1.ReasonStoreUnavailable, fmt.Sprintf(
			"the shared store at %s does not answer the operator: %v; webhooks are delivered at least once (a chatbot may get a message twice) and each relay replica sends at its share of a number's rate until it answers; checked again every %s",
			r.Address, err, s.opts.SharedStoreRecheck)}
	}
	return sharedStateVerdict{metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded, fmt.Sprintf(
		"the shared store at %s answers: deliveries are claimed once across webhook replicas and each number has one send budget across relay replicas", r.Address)}
}

// replicasOf are the provider's webhook and relay replica counts.
func replicasOf(p *whatsappv1alpha1.MetaProvider) (webhooks, relays int32) {
	webhooks, relays = 1, 1
	if p.Spec.Webhook != nil && p.Spec.Webhook.Replicas != nil {
		webhooks = *p.Spec.Webhook.Replicas
	}
	if p.Spec.Relay != nil && p.Spec.Relay.Replicas != nil {
		relays = *p.Spec.Relay.Replicas
	}
	return webhooks, relays
}

// storeConfig is the pods' store configuration, with the password and CA
// read from the provider's namespace. Errors name the object and key,
// never a value.
func (s *providerSync) storeConfig(ctx context.Context, r *whatsappv1alpha1.RedisStore) (sharedstore.Config, error) {
	return storeConfigOf(ctx, s.apiReader, s.opts, s.p, r)
}

// storeConfigOf is storeConfig for p, reading through reader.
func storeConfigOf(ctx context.Context, reader client.Reader, opts Options, p *whatsappv1alpha1.MetaProvider, r *whatsappv1alpha1.RedisStore) (sharedstore.Config, error) {
	cfg := sharedstore.Config{
		Address: r.Address, Database: int(r.Database), Username: r.Username,
		KeyPrefix: r.KeyPrefix, Namespace: p.Namespace, Provider: p.Name,
		AllowAddresses: opts.SharedStoreAllow, OpTimeout: opts.SharedStoreTimeout,
	}
	if cfg.KeyPrefix == "" {
		cfg.KeyPrefix = sharedstore.DefaultKeyPrefix
	}
	if ref := r.PasswordSecretRef; ref != nil {
		pw, err := secretKey(ctx, reader, p.Namespace, ref.Name, ref.Key, "spec.sharedState.redis.passwordSecretRef")
		if err != nil {
			return cfg, err
		}
		cfg.Password = string(pw)
	}
	if t := r.TLS; t != nil {
		cfg.TLS, cfg.ServerName = true, t.ServerName
		switch {
		case t.CASecretRef != nil:
			ca, err := secretKey(ctx, reader, p.Namespace, t.CASecretRef.Name, t.CASecretRef.Key, "spec.sharedState.redis.tls.caSecretRef")
			if err != nil {
				return cfg, err
			}
			cfg.CAPEM = ca
		case t.CAConfigMapRef != nil:
			cm := &corev1.ConfigMap{}
			key := client.ObjectKey{Namespace: p.Namespace, Name: t.CAConfigMapRef.Name}
			if err := reader.Get(ctx, key, cm); err != nil {
				return cfg, fmt.Errorf("ConfigMap %s named in spec.sharedState.redis.tls.caConfigMapRef: %w", key, notFoundPlain(err))
			}
			ca, ok := cm.Data[t.CAConfigMapRef.Key]
			if !ok {
				return cfg, fmt.Errorf("ConfigMap %s has no key %q (spec.sharedState.redis.tls.caConfigMapRef)", key, t.CAConfigMapRef.Key)
			}
			cfg.CAPEM = []byte(ca)
		}
	}
	return cfg, nil
}

// secretKey reads one key of a Secret in namespace.
func secretKey(ctx context.Context, reader client.Reader, namespace, name, key, field string) ([]byte, error) {
	sec := &corev1.Secret{}
	ref := client.ObjectKey{Namespace: namespace, Name: name}
	if err := reader.Get(ctx, ref, sec); err != nil {
		return nil, fmt.Errorf("Secret %s named in %s: %w", ref, field, notFoundPlain(err))
	}
	v, ok := sec.Data[key]
	if !ok {
		return nil, fmt.Errorf("Secret %s has no key %q (%s)", ref, key, field)
	}
	return v, nil
}

// notFoundPlain says "does not exist" for a missing object.
func notFoundPlain(err error) error {
	if apierrors.IsNotFound(err) {
		return errors.New("does not exist")
	}
	return err
}

// pingStore asks the store once with a client of its own.
func pingStore(ctx context.Context, cfg sharedstore.Config) error {
	st, err := sharedstore.Open(cfg, logr.Discard(), nil) // the condition says it; no log line per check
	if err != nil {
		return err
	}
	defer st.Close()
	return st.Ping(ctx)
}
