package webhookresources

import (
	"fmt"
	"maps"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/workload"
)

// secretRule returns the Role's rule on Secrets; it panics when there is none.
func secretRule(r *rbacv1.Role) *rbacv1.PolicyRule {
	for i, rule := range r.Rules {
		for _, res := range rule.Resources {
			if res == "secrets" {
				return &r.Rules[i]
			}
		}
	}
	panic("Role has no rule on secrets")
}

// resourceVersions maps each existing webhook object of p to its
// resourceVersion.
func resourceVersions(t *testing.T, p *v1alpha1.MetaProvider) map[string]string {
	t.Helper()
	rvs := map[string]string{}
	for _, obj := range workload.OwnedTypes() {
		if err := get(t, p, obj); client.IgnoreNotFound(err) != nil {
			t.Fatalf("get %T: %v", obj, err)
		} else if err == nil {
			rvs[typeName(obj)] = obj.GetResourceVersion()
		}
	}
	return rvs
}

func typeName(obj client.Object) string { return fmt.Sprintf("%T", obj) }

func labelSet(l map[string]string) labels.Set { return labels.Set(l) }

func mergeLabels(l map[string]string, k, v string) map[string]string {
	out := maps.Clone(l)
	out[k] = v
	return out
}
