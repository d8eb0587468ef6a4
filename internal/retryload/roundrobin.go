package retryload

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
)

// ReplicaHeader names the replica that answered (its index); AvoidHeader
// asks the proxy for another one than the index it holds: Meta's retry
// reaching another pod.
const (
	ReplicaHeader = "X-Test-Replica"
	AvoidHeader   = "X-Test-Avoid-Replica"
)

// RoundRobin starts a reverse proxy on loopback that spreads requests over
// the replicas' base URLs in turn, as a Service does, and returns its URL.
// It is closed when the test ends.
func RoundRobin(tb testing.TB, replicas ...string) string {
	proxies := make([]*httputil.ReverseProxy, len(replicas))
	for i, r := range replicas {
		u, err := url.Parse(r)
		if err != nil {
			tb.Fatal(err)
		}
		p := httputil.NewSingleHostReverseProxy(u)
		tr := &http.Transport{MaxIdleConnsPerHost: 64}
		tb.Cleanup(tr.CloseIdleConnections)
		p.Transport = tr
		proxies[i] = p
	}
	var next atomic.Uint64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(next.Add(1) % uint64(len(replicas)))
		if avoid := r.Header.Get(AvoidHeader); avoid == fmt.Sprint(i) {
			i = (i + 1) % len(replicas)
		}
		w.Header().Set(ReplicaHeader, fmt.Sprint(i))
		proxies[i].ServeHTTP(w, r)
	}))
	tb.Cleanup(srv.Close)
	return srv.URL
}
