package main

import (
	"context"
	"net/netip"
	"net/url"
	"os"
	"time"

	discoveryv1 "k8s.io/api/discovery/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// apiServerLookupTimeout bounds the one read of the kubernetes Service's
// endpoints at start.
const apiServerLookupTimeout = 10 * time.Second

// apiServerCIDRs are the addresses at which pods reach the API server: the
// kubernetes Service's ClusterIP (KUBERNETES_SERVICE_HOST), its endpoints
// (network plugins judge policies after the Service's address translation),
// and the configured host when it is an address. The webhook pods' egress
// NetworkPolicy opens them; none found leaves egress open.
func apiServerCIDRs(reader client.Reader, host string) ([]string, error) {
	seen := map[netip.Prefix]bool{}
	var out []string
	add := func(s string) {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return
		}
		a = a.Unmap()
		if p := netip.PrefixFrom(a, a.BitLen()); !seen[p] {
			seen[p] = true
			out = append(out, p.String())
		}
	}
	add(os.Getenv("KUBERNETES_SERVICE_HOST"))
	if u, err := url.Parse(host); err == nil && u.Hostname() != "" {
		add(u.Hostname())
	}
	ctx, cancel := context.WithTimeout(context.Background(), apiServerLookupTimeout)
	defer cancel()
	var slices discoveryv1.EndpointSliceList
	err := reader.List(ctx, &slices, client.InNamespace("default"), client.MatchingLabels{discoveryv1.LabelServiceName: "kubernetes"})
	for _, s := range slices.Items {
		for _, e := range s.Endpoints {
			for _, a := range e.Addresses {
				add(a)
			}
		}
	}
	return out, err
}
