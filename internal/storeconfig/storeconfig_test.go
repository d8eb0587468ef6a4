package storeconfig

import (
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/sharedstore"
)

func provider(r *whatsappv1alpha1.RedisStore) *whatsappv1alpha1.MetaProvider {
	p := &whatsappv1alpha1.MetaProvider{ObjectMeta: metav1.ObjectMeta{Namespace: "support", Name: "acme"}}
	if r != nil {
		p.Spec.SharedState = &whatsappv1alpha1.SharedState{Redis: r}
	}
	return p
}

// TestForSpecifies: what each spec gives the pods.
func TestForSpecifies(t *testing.T) {
	full := &whatsappv1alpha1.RedisStore{
		Address: "redis.platform.svc:6380", Database: 3, Username: "team-support", KeyPrefix: "wa:prod:",
		PasswordSecretRef: &whatsappv1alpha1.SecretKeyReference{Name: "redis", Key: "pw"},
		TLS:               &whatsappv1alpha1.RedisTLS{ServerName: "redis.platform", CAConfigMapRef: &whatsappv1alpha1.ConfigMapKeyReference{Name: "ca", Key: "root.pem"}},
		DedupeTTL:         &metav1.Duration{Duration: 48 * time.Hour},
	}
	cases := map[string]struct {
		reason    string
		p         *whatsappv1alpha1.MetaProvider
		dedupeTTL bool
		wantArgs  []string
		volumes   int
	}{
		"none": {reason: "no store: nothing changes in the pods", p: provider(nil)},
		"address only": {reason: "defaults are the pods' own", p: provider(&whatsappv1alpha1.RedisStore{Address: "10.0.0.5:6379"}), dedupeTTL: true,
			wantArgs: []string{"--redis-address", "10.0.0.5:6379"}},
		"everything, webhook": {reason: "each field reaches its flag; password and CA as files", p: provider(full), dedupeTTL: true, volumes: 2,
			wantArgs: []string{"--redis-address", "redis.platform.svc:6380", "--redis-database", "3", "--redis-username", "team-support",
				"--redis-key-prefix", "wa:prod:", "--redis-dedupe-ttl", "48h0m0s", "--redis-password-file", passwordDir + "/password",
				"--redis-tls", "--redis-server-name", "redis.platform", "--redis-ca-file", caDir + "/ca.crt"}},
		"everything, relay": {reason: "the relay keeps no dedupe TTL", p: provider(full), volumes: 2,
			wantArgs: []string{"--redis-address", "redis.platform.svc:6380", "--redis-database", "3", "--redis-username", "team-support",
				"--redis-key-prefix", "wa:prod:", "--redis-password-file", passwordDir + "/password",
				"--redis-tls", "--redis-server-name", "redis.platform", "--redis-ca-file", caDir + "/ca.crt"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := For(tc.p, tc.dedupeTTL)
			if diff := cmp.Diff(tc.wantArgs, got.Args); diff != "" {
				t.Errorf("%s: args -want +got:\n%s", tc.reason, diff)
			}
			if len(got.Volumes) != tc.volumes || len(got.Mounts) != tc.volumes {
				t.Errorf("%s: %d volumes, %d mounts, want %d", tc.reason, len(got.Volumes), len(got.Mounts), tc.volumes)
			}
			// The flags are the pods' own: they parse.
			fs := flag.NewFlagSet("pod", flag.ContinueOnError)
			var cfg sharedstore.Config
			sharedstore.BindFlags(fs, &cfg)
			if err := fs.Parse(got.Args); err != nil {
				t.Errorf("%s: the pod would not start: %v", tc.reason, err)
			}
		})
	}
}

// TestPasswordOnlyAsAFile: the password's value never appears (the
// operator does not even read it here), only the one key is mounted, and
// only the pod's user may read it.
func TestPasswordOnlyAsAFile(t *testing.T) {
	got := For(provider(&whatsappv1alpha1.RedisStore{Address: "r:6379", PasswordSecretRef: &whatsappv1alpha1.SecretKeyReference{Name: "redis", Key: "pw"}}), true)
	if strings.Contains(strings.Join(got.Args, " "), "--redis-password ") {
		t.Error("a password flag would show the value to whoever reads the pod spec")
	}
	s := got.Volumes[0].Secret
	if s == nil || *s.SecretName != "redis" || len(s.Items) != 1 || *s.Items[0].Key != "pw" || *s.DefaultMode != 0o400 {
		t.Errorf("volume %+v: want the one key of Secret redis, mode 0400", s)
	}
	if !*got.Mounts[0].ReadOnly {
		t.Error("the mount must be read-only")
	}
}
