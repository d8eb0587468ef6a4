package v1alpha1_test

import (
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// TestSharedStateAdmission: spec.sharedState.redis is checked at admission,
// with messages naming the field.
func TestSharedStateAdmission(t *testing.T) {
	valid := map[string]any{
		"address":           "redis.platform.svc.cluster.local:6379",
		"database":          int64(2),
		"username":          "team-support",
		"passwordSecretRef": map[string]any{"name": "redis", "key": "password"},
		"tls":               map[string]any{"caConfigMapRef": map[string]any{"name": "redis-ca", "key": "ca.crt"}, "serverName": "redis.platform.svc"},
		"keyPrefix":         "whatsapp:prod:",
		"dedupeTTL":         "48h",
	}
	cases := map[string]struct {
		reason string
		edit   func(r map[string]any)
		wantIn []string // empty: accepted
	}{
		"everything set": {reason: "a complete store is accepted", edit: func(map[string]any) {}},
		"IPv6 literal":   {reason: "IPv6 addresses go in brackets", edit: func(r map[string]any) { r["address"] = "[fd00::5]:6380" }},
		"address without port": {
			reason: "host:port is required", edit: func(r map[string]any) { r["address"] = "redis.platform.svc" },
			wantIn: []string{"spec.sharedState.redis.address must be host:port"},
		},
		"URL instead of address": {
			reason: "a redis:// URL is not an address", edit: func(r map[string]any) { r["address"] = "redis://redis:6379" },
			wantIn: []string{"spec.sharedState.redis.address must be host:port"},
		},
		"port out of range": {
			reason: "ports end at 65535", edit: func(r map[string]any) { r["address"] = "redis:70000" },
			wantIn: []string{"spec.sharedState.redis.address: the port must be at most 65535"},
		},
		"prefix without colon": {
			reason: "the provider's namespace/name follows the prefix after ':'", edit: func(r map[string]any) { r["keyPrefix"] = "team-a" },
			wantIn: []string{"spec.sharedState.redis.keyPrefix must end in ':'"},
		},
		"prefix with a glob": {
			reason: "ACL key patterns are globs: no '*' in a prefix", edit: func(r map[string]any) { r["keyPrefix"] = "team*:" },
			wantIn: []string{"spec.sharedState.redis.keyPrefix"},
		},
		"TTL too short": {
			reason: "a few minutes would forget deliveries Meta still retries", edit: func(r map[string]any) { r["dedupeTTL"] = "1m" },
			wantIn: []string{"spec.sharedState.redis.dedupeTTL must be between 10m and 168h"},
		},
		"TTL past Meta's retries": {
			reason: "Meta stops retrying after 7 days", edit: func(r map[string]any) { r["dedupeTTL"] = "200h" },
			wantIn: []string{"spec.sharedState.redis.dedupeTTL must be between 10m and 168h"},
		},
		"two CA sources": {
			reason: "one CA source", edit: func(r map[string]any) {
				r["tls"].(map[string]any)["caSecretRef"] = map[string]any{"name": "ca", "key": "ca.crt"}
			},
			wantIn: []string{"set at most one of caSecretRef and caConfigMapRef"},
		},
		"password key missing": {
			reason: "a Secret reference names its key", edit: func(r map[string]any) { r["passwordSecretRef"] = map[string]any{"name": "redis"} },
			wantIn: []string{"spec.sharedState.redis.passwordSecretRef.key"},
		},
		"database out of range": {
			reason: "databases are numbered from 0", edit: func(r map[string]any) { r["database"] = int64(-1) },
			wantIn: []string{"spec.sharedState.redis.database"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			redis := map[string]any{}
			for k, v := range valid {
				if m, ok := v.(map[string]any); ok {
					c := map[string]any{}
					for k2, v2 := range m {
						c[k2] = v2
					}
					v = c
				}
				redis[k] = v
			}
			tc.edit(redis)
			obj := sample(t, "whatsapp_v1alpha1_metaprovider.yaml")
			set("spec.sharedState.redis", redis)(obj.Object)
			err := dryRunCreate(obj)
			if len(tc.wantIn) == 0 {
				if err != nil {
					t.Fatalf("rejected (%s): %v", tc.reason, err)
				}
				return
			}
			if !apierrors.IsInvalid(err) {
				t.Fatalf("want an Invalid error (%s), got %v", tc.reason, err)
			}
			for _, want := range tc.wantIn {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not mention %q (%s):\n%v", want, tc.reason, err)
				}
			}
		})
	}
}
