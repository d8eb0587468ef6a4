package webhookserver

import (
	"context"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/providerstate"
)

// secretKeys names the Secret the webhook server reads and the keys it
// keeps: the webhook Secret the operator derives from the credentials
// (whatsappv1alpha1.WebhookSecretName), or the Secret named by override
// (--credentials-secret, for a server run by hand). The access token is
// never among the keys, and the derived Secret does not hold it at all.
func secretKeys(override string) providerstate.SecretSpec {
	return providerstate.SecretSpec{
		Name: func(p *whatsappv1alpha1.MetaProvider) string {
			if override != "" {
				return override
			}
			return whatsappv1alpha1.WebhookSecretName(p.Name)
		},
		Keys: []string{whatsappv1alpha1.SecretKeyAppSecret, whatsappv1alpha1.SecretKeyVerifyToken,
			SecretKeyAppSecretPrevious, whatsappv1alpha1.SecretKeyForwardingKey},
		Required: []string{whatsappv1alpha1.SecretKeyAppSecret, whatsappv1alpha1.SecretKeyVerifyToken,
			whatsappv1alpha1.SecretKeyForwardingKey},
	}
}

// inboundKinds are cached beside the provider, channels and templates: a
// chatbot Service is resolved through its EndpointSlices.
func inboundKinds() []client.Object {
	return []client.Object{&corev1.Service{}, &discoveryv1.EndpointSlice{}}
}

// cluster is the webhook server's view of the API server: the provider's
// shared state (internal/providerstate) and the route table, rebuilt from
// it whenever the provider or a channel changes.
type cluster struct {
	*providerstate.State
	metrics *metrics
	table   atomic.Pointer[RouteTable]
}

// newCluster builds the state; nothing runs until run.
func newCluster(ctx context.Context, cfg *rest.Config, opts Options, creds *credentialStore, m *metrics) (*cluster, error) {
	cl := &cluster{metrics: m}
	st, err := providerstate.New(ctx, cfg, providerstate.Options{
		Namespace:   opts.ProviderNamespace,
		Provider:    opts.ProviderName,
		Secret:      secretKeys(opts.CredentialsSecret),
		Credentials: creds,
		ExtraKinds:  inboundKinds(),
		OnChange: func(snap providerstate.Snapshot) {
			cl.rebuild(snap)
			if snap.Provider == nil {
				opts.Logger.Info("MetaProvider not found: nothing is routed")
			}
		},
		Logger: opts.Logger,
	})
	if err != nil {
		return nil, err
	}
	cl.State = st
	return cl, nil
}

// Table returns the current route table, nil until the caches synced.
func (c *cluster) Table() *RouteTable { return c.table.Load() }

// rebuild swaps in a new route table if routing changed.
func (c *cluster) rebuild(snap providerstate.Snapshot) {
	prev := c.table.Load()
	t := nextRouteTable(prev, snap.Provider, snap.Channels)
	if t != prev {
		c.table.Store(t)
		c.metrics.routes.Set(float64(t.Len()))
	}
}
