package relayresources

import (
	rbacv1ac "k8s.io/client-go/applyconfigurations/rbac/v1"

	"github.com/kubechat/whatsapp-operator/relay"
)

// role grants the relay exactly relay.Rules, the Role its package
// documents and its tests run under: read its provider by name, the
// channels and templates of the namespace, and the credentials Secret by
// name (the only Secret that holds the access token, and the only one the
// relay may read). It writes nothing and records no Events.
//
// The operator can create this Role only because it holds every one of
// these permissions itself (RBAC escalation prevention); see
// internal/webhookresources/RBAC-NOTES.md.
func role(t target) *rbacv1ac.RoleApplyConfiguration {
	r := rbacv1ac.Role(t.name, t.namespace).
		WithLabels(t.labels()).
		WithOwnerReferences(t.owner.Reference())
	for _, rule := range relay.Rules(t.provider) {
		r = r.WithRules(rbacv1ac.PolicyRule().
			WithAPIGroups(rule.APIGroups...).
			WithResources(rule.Resources...).
			WithResourceNames(rule.ResourceNames...).
			WithVerbs(rule.Verbs...))
	}
	return r
}
