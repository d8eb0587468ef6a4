package webhookresources

import (
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// TestSharedStateReachesThePod: spec.sharedState becomes the webhook
// server's --redis-* flags and a read-only mount of the one password key;
// the Role is not widened (the kubelet mounts the key, not the pod's
// ServiceAccount).
func TestSharedStateReachesThePod(t *testing.T) {
	p := newProvider("support", func(p *v1alpha1.MetaProvider) {
		p.Spec.SharedState = &v1alpha1.SharedState{Redis: &v1alpha1.RedisStore{
			Address: "redis.platform.svc:6379", PasswordSecretRef: &v1alpha1.SecretKeyReference{Name: "redis", Key: "password"},
		}}
	})
	d := desiredOf[*appsv1.Deployment](t, p, testOptions)
	pod := d.Spec.Template.Spec
	args := pod.Containers[0].Args
	i := slices.Index(args, "--redis-address")
	if i < 0 || args[i+1] != "redis.platform.svc:6379" || !slices.Contains(args, "--redis-password-file") {
		t.Fatalf("args %v: want --redis-address and --redis-password-file", args)
	}
	var found bool
	for _, v := range pod.Volumes {
		if v.Secret != nil && v.Secret.SecretName == "redis" {
			found = len(v.Secret.Items) == 1 && v.Secret.Items[0].Key == "password"
		}
	}
	if !found {
		t.Errorf("volumes %+v: want only the key password of Secret redis", pod.Volumes)
	}
	for _, m := range pod.Containers[0].VolumeMounts {
		if m.Name != "tmp" && !m.ReadOnly {
			t.Errorf("mount %s is writable", m.Name)
		}
	}
	role := desiredOf[*rbacv1.Role](t, p, testOptions)
	for _, r := range role.Rules {
		if slices.Contains(r.ResourceNames, "redis") {
			t.Errorf("the Role names the password Secret: %+v", r)
		}
	}
}

// TestSharedStoreEgress: a store at an IP address is opened in the webhook
// pods' egress policy, that address and port only; a store named by DNS
// adds nothing (its range goes in spec.webhook.allowedEgressCIDRs).
func TestSharedStoreEgress(t *testing.T) {
	for _, tc := range []struct {
		address string
		want    string
	}{{"10.0.0.5:6380", "10.0.0.5/32:6380"}, {"[fd00::5]:6379", "fd00::5/128:6379"}, {"redis.platform.svc:6379", ""}} {
		p := newProvider("support", func(p *v1alpha1.MetaProvider) {
			p.Spec.SharedState = &v1alpha1.SharedState{Redis: &v1alpha1.RedisStore{Address: tc.address}}
		})
		opts := testOptions
		opts.APIServerCIDRs = []string{"192.0.2.1/32"} // egress is limited only where the API server is known
		np := desiredOf[*networkingv1.NetworkPolicy](t, p, opts)
		var got []string
		for _, r := range np.Spec.Egress {
			for _, to := range r.To {
				if to.IPBlock != nil && len(r.Ports) == 1 && r.Ports[0].Port != nil {
					got = append(got, to.IPBlock.CIDR+":"+r.Ports[0].Port.String())
				}
			}
		}
		if tc.want == "" && len(got) != 0 || tc.want != "" && !slices.Contains(got, tc.want) {
			t.Errorf("store %s: egress to %v, want %q", tc.address, got, tc.want)
		}
	}
}
