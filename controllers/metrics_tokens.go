package controllers

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// tokenExpiryDesc is when each provider's access token expires, as
// cert-manager's certmanager_certificate_expiration_timestamp_seconds:
// the TokenExpiringSoon condition says "soon" once, an alert on this says
// "within 14 days" to whoever is on call. Read from status.tokenExpiresAt
// (debug_token, so only providers with spec.appID) in the informer cache
// at scrape time; no series for a token that does not expire.
//
//	whatsapp_provider_token_expiration_timestamp_seconds - time() < 14 * 24 * 3600
var tokenExpiryDesc = prometheus.NewDesc(
	"whatsapp_provider_token_expiration_timestamp_seconds",
	"When the MetaProvider's access token expires, in seconds since the Unix epoch (from debug_token; absent for a token that does not expire or a provider without spec.appID).",
	[]string{"namespace", "provider"}, nil,
)

type tokensCollector struct{ reader client.Reader }

func (c *tokensCollector) Describe(ch chan<- *prometheus.Desc) { ch <- tokenExpiryDesc }

func (c *tokensCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var list whatsappv1alpha1.MetaProviderList
	if err := c.reader.List(ctx, &list); err != nil {
		return
	}
	for i := range list.Items {
		p := &list.Items[i]
		if p.Status.TokenExpiresAt == nil {
			continue
		}
		at := float64(p.Status.TokenExpiresAt.UnixNano()) / 1e9
		ch <- prometheus.MustNewConstMetric(tokenExpiryDesc, prometheus.GaugeValue, at, p.Namespace, p.Name)
	}
}
