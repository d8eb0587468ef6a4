package relayresources

import (
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// TestSharedStateReachesThePod: spec.sharedState becomes the relay's
// --redis-* flags (no dedupe TTL: the relay keeps no deliveries) and the
// CA from a ConfigMap as a read-only file.
func TestSharedStateReachesThePod(t *testing.T) {
	p := newProvider("support", withRelay(2))
	p.Spec.SharedState = &v1alpha1.SharedState{Redis: &v1alpha1.RedisStore{
		Address: "10.0.0.5:6380",
		TLS:     &v1alpha1.RedisTLS{CAConfigMapRef: &v1alpha1.ConfigMapKeyReference{Name: "redis-ca", Key: "ca.crt"}},
	}}
	pod := desiredOf[*appsv1.Deployment](t, p).Spec.Template.Spec
	args := pod.Containers[0].Args
	for _, want := range []string{"--redis-address", "10.0.0.5:6380", "--redis-tls", "--redis-ca-file"} {
		if !slices.Contains(args, want) {
			t.Errorf("args %v lack %s", args, want)
		}
	}
	if slices.Contains(args, "--redis-dedupe-ttl") {
		t.Errorf("args %v: the relay takes no dedupe TTL", args)
	}
	var ca bool
	for _, v := range pod.Volumes {
		ca = ca || (v.ConfigMap != nil && v.ConfigMap.Name == "redis-ca")
	}
	if !ca {
		t.Errorf("volumes %+v: want the CA ConfigMap", pod.Volumes)
	}
}
