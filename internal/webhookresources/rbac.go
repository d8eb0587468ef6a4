package webhookresources

import (
	rbacv1ac "k8s.io/client-go/applyconfigurations/rbac/v1"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// API groups the webhook server's Role names.
const (
	groupCore      = ""
	groupDiscovery = "discovery.k8s.io"
)

var (
	verbsRead  = []string{"get", "list", "watch"}
	verbsPatch = []string{"patch"}
)

// role grants the webhook server exactly what it does, in its own namespace:
//   - reads its own MetaProvider, by name;
//   - reads the channels (routes) and templates (reconcile requests), and
//     patches them to set the reconcile-request annotation when Meta
//     announces a change;
//   - reads Services and EndpointSlices to route to chatbot Services;
//   - reads one Secret, the derived SecretName(provider): the app
//     secret(s), the verify token and the forwarding key. Never the
//     credentials Secret, which holds the access token: the
//     internet-facing pod cannot read the token at all.
//
// List and watch under resourceNames work only with a metadata.name field
// selector, which is how the server watches its provider and its Secret.
// It records no Events, so it may not create any.
//
// The operator can create this Role only because it holds every one of these
// permissions itself (RBAC escalation prevention); see RBAC-NOTES.md.
func role(t target) *rbacv1ac.RoleApplyConfiguration {
	group := v1alpha1.GroupVersion.Group
	return rbacv1ac.Role(t.name, t.namespace).
		WithLabels(t.labels()).
		WithOwnerReferences(t.owner.Reference()).
		WithRules(
			rbacv1ac.PolicyRule().WithAPIGroups(group).
				WithResources("metaproviders").
				WithResourceNames(t.provider).
				WithVerbs(verbsRead...),
			rbacv1ac.PolicyRule().WithAPIGroups(group).
				WithResources("whatsappchannels", "messagetemplates").
				WithVerbs(verbsRead...),
			rbacv1ac.PolicyRule().WithAPIGroups(group).
				WithResources("whatsappchannels", "messagetemplates").
				WithVerbs(verbsPatch...),
			rbacv1ac.PolicyRule().WithAPIGroups(groupDiscovery).
				WithResources("endpointslices").
				WithVerbs(verbsRead...),
			rbacv1ac.PolicyRule().WithAPIGroups(groupCore).
				WithResources("services").
				WithVerbs(verbsRead...),
			rbacv1ac.PolicyRule().WithAPIGroups(groupCore).
				WithResources("secrets").
				WithResourceNames(SecretName(t.provider)).
				WithVerbs(verbsRead...),
		)
}
