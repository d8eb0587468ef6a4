package relay

import (
	rbacv1 "k8s.io/api/rbac/v1"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// Rules are the rules of the Role the relay's ServiceAccount needs in the
// provider's namespace, and nothing more: read the provider by name, its
// channels and templates, and the one credentials Secret by name (the
// relay lists both with a field selector on metadata.name). It writes
// nothing and records no Events. package doc (doc.go) shows them as YAML.
func Rules(provider *whatsappv1alpha1.MetaProvider) []rbacv1.PolicyRule {
	read := []string{"get", "list", "watch"}
	return []rbacv1.PolicyRule{
		{APIGroups: []string{whatsappv1alpha1.GroupVersion.Group}, Resources: []string{"metaproviders"}, ResourceNames: []string{provider.Name}, Verbs: read},
		{APIGroups: []string{whatsappv1alpha1.GroupVersion.Group}, Resources: []string{"whatsappchannels", "messagetemplates"}, Verbs: read},
		{APIGroups: []string{""}, Resources: []string{"secrets"}, ResourceNames: []string{provider.Spec.CredentialsSecretRef.Name}, Verbs: read},
	}
}
