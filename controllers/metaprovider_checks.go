package controllers

import (
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
)

// providerChecks remembers when each provider's token and subscription
// were last proven at Meta, for which generation and which credentials.
type providerChecks struct {
	mu      sync.Mutex
	checked map[types.UID]providerCheck
}

type providerCheck struct {
	generation int64
	creds      *credentials // the same pointer while the Secret is unchanged
	at         time.Time
}

func newProviderChecks() *providerChecks {
	return &providerChecks{checked: map[types.UID]providerCheck{}}
}

// fresh tells whether the checks passed for this generation and these
// credentials less than maxAge ago, and still show as passed.
func (c *providerChecks) fresh(p *whatsappv1alpha1.MetaProvider, creds *credentials, now time.Time, maxAge time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.checked[p.UID]
	return ok && k.generation == p.Generation && k.creds == creds && now.Sub(k.at) < maxAge &&
		conditions.IsTrue(p, whatsappv1alpha1.ConditionCredentialsValid) && conditions.IsTrue(p, whatsappv1alpha1.ConditionAppSubscribed)
}

func (c *providerChecks) record(p *whatsappv1alpha1.MetaProvider, creds *credentials, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checked[p.UID] = providerCheck{generation: p.Generation, creds: creds, at: now}
}

func (c *providerChecks) forget(uid types.UID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.checked, uid)
}
