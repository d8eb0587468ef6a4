package policy

import (
	"context"
	"fmt"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/webhookresources"
	"github.com/kubechat/whatsapp-operator/internal/workload"
)

// The webhook server's ServiceAccount — the one the operator created, with
// exactly the Role the operator wrote, plus (to show the policy holds even
// where RBAC is too generous) rights to write status and delete — may only
// ask for a re-sync. A user's own ServiceAccount named like it is not
// restricted.
func TestWebhookServerMayOnlyRequestAResync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := env.Client
	ns := newNamespace(t, "webhook-policy")

	// The operator's objects for provider acme, written by the operator's
	// own code: the ServiceAccount acme-webhook, its Role and RoleBinding.
	p := &whatsappv1alpha1.MetaProvider{
		ObjectMeta: metav1.ObjectMeta{Name: "acme", Namespace: ns},
		Spec: whatsappv1alpha1.MetaProviderSpec{
			BusinessAccountID:    "102290129340398",
			CredentialsSecretRef: whatsappv1alpha1.SecretReference{Name: "acme-meta"},
		},
	}
	must(t, admin.Create(ctx, p))
	if _, err := webhookresources.Apply(ctx, workload.Clients{Client: admin, Live: admin}, env.Scheme, p, webhookresources.Options{Image: "whatsapp-operator:test"}); err != nil {
		t.Fatal(err)
	}
	webhookSA := webhookresources.Name("acme")
	everything := rbacv1.PolicyRule{
		APIGroups: []string{"whatsapp.kubechat.io"},
		Resources: []string{"whatsappchannels", "whatsappchannels/status", "messagetemplates", "messagetemplates/status"},
		Verbs:     []string{"get", "patch", "update", "delete"},
	}
	grant(t, ns, webhookSA, "too-generous", everything)
	// A user's own ServiceAccount whose name also ends in -webhook.
	grant(t, ns, "foo-webhook", "foo-webhook", everything)

	ch := &whatsappv1alpha1.WhatsAppChannel{
		ObjectMeta: metav1.ObjectMeta{Name: "support-us", Namespace: ns, Labels: map[string]string{"team": "support"}},
		Spec: whatsappv1alpha1.WhatsAppChannelSpec{
			ProviderRef: whatsappv1alpha1.ProviderReference{Name: "acme"},
			PhoneNumber: "+12025550123",
			Chatbot:     whatsappv1alpha1.ChatbotTarget{URL: "https://bot.example.com/whatsapp"},
		},
	}
	must(t, admin.Create(ctx, ch))
	tpl := &whatsappv1alpha1.MessageTemplate{
		ObjectMeta: metav1.ObjectMeta{Name: "order-update", Namespace: ns},
		Spec: whatsappv1alpha1.MessageTemplateSpec{
			ProviderRef: whatsappv1alpha1.ProviderReference{Name: "acme"},
			Language:    "en_US",
			Category:    whatsappv1alpha1.CategoryUtility,
			Body:        whatsappv1alpha1.TemplateBody{Text: "Your order has shipped."},
		},
	}
	must(t, admin.Create(ctx, tpl))

	patch := func(c client.Client, obj client.Object, patch string) error {
		target := obj.DeepCopyObject().(client.Object)
		return c.Patch(ctx, target, client.RawPatch("application/merge-patch+json", []byte(patch)))
	}
	webhook := as(t, ns, webhookSA)
	redirect := `{"spec":{"chatbot":{"url":"https://attacker.example/steal"}}}`
	waitDenied(t, "a chatbot redirect by the webhook server", "may not change spec",
		func() error { return patch(webhook, ch, redirect) },
		func() { must(t, patch(admin, ch, `{"spec":{"chatbot":{"url":"https://bot.example.com/whatsapp"}}}`)) })

	const owner = `{"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"gone","uid":"6f0c7c4e-0000-4000-8000-000000000000"}]}}`
	cases := map[string]struct {
		reason string
		client client.Client
		target client.Object
		status bool
		delete bool
		patch  string
		denied string // substring of the refusal, or "" when allowed
	}{
		"request a re-sync": {
			reason: "the one change the webhook server needs",
			client: webhook, target: ch,
			patch: fmt.Sprintf(`{"metadata":{"annotations":{%q:"2026-11-22T10:00:00Z"}}}`, whatsappv1alpha1.ReconcileRequestAnnotation),
		},
		"request a re-sync of a template": {
			reason: "template events ask templates for a re-sync",
			client: webhook, target: tpl,
			patch: fmt.Sprintf(`{"metadata":{"annotations":{%q:"2026-11-22T10:00:00Z"}}}`, whatsappv1alpha1.ReconcileRequestAnnotation),
		},
		"owner reference on a channel": {
			reason: "an owner that does not exist makes the garbage collector delete the channel",
			client: webhook, target: ch, patch: owner,
			denied: "may not change metadata",
		},
		"owner reference on a template": {
			reason: "a template collected with deletionPolicy Delete is deleted at Meta",
			client: webhook, target: tpl, patch: owner,
			denied: "may not change metadata",
		},
		"finalizer": {
			reason: "a finalizer could block deletion",
			client: webhook, target: tpl, patch: `{"metadata":{"finalizers":["example.com/block"]}}`,
			denied: "may not change metadata",
		},
		"relabel": {
			reason: "labels select channels elsewhere",
			client: webhook, target: ch, patch: `{"metadata":{"labels":{"team":"attacker"}}}`,
			denied: "may not change metadata",
		},
		"other annotation": {
			reason: "annotations drive other tools",
			client: webhook, target: ch, patch: `{"metadata":{"annotations":{"argocd.argoproj.io/sync-options":"Prune=false"}}}`,
			denied: "may only set the reconcile-requested-at annotation",
		},
		"template spec": {
			reason: "a template's deletionPolicy decides what happens at Meta",
			client: webhook, target: tpl, patch: `{"spec":{"deletionPolicy":"Orphan"}}`,
			denied: "may not change spec",
		},
		"status": {
			reason: "the webhook server routes by status.phoneNumberID",
			client: webhook, target: ch, status: true, patch: `{"status":{"phoneNumberID":"999"}}`,
			denied: "may not write status",
		},
		"delete": {
			reason: "deleting a template deletes it at Meta",
			client: webhook, target: tpl, delete: true,
			denied: "may not delete",
		},
		"a user's own foo-webhook": {
			reason: "the policy restricts the ServiceAccounts the operator made, not every name ending in -webhook",
			client: as(t, ns, "foo-webhook"), target: ch, patch: `{"spec":{"chatbot":{"path":"/v2"}}}`,
		},
		"a user's own foo-webhook adds a label": {
			reason: "RBAC, not this policy, governs what users' ServiceAccounts do",
			client: as(t, ns, "foo-webhook"), target: tpl, patch: `{"metadata":{"labels":{"team":"support"}}}`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var err error
			switch {
			case tc.delete:
				err = tc.client.Delete(ctx, tc.target.DeepCopyObject().(client.Object), client.DryRunAll)
			case tc.status:
				target := tc.target.DeepCopyObject().(client.Object)
				err = tc.client.Status().Patch(ctx, target, client.RawPatch("application/merge-patch+json", []byte(tc.patch)))
			default:
				err = patch(tc.client, tc.target, tc.patch)
			}
			switch {
			case tc.denied == "" && err != nil:
				t.Errorf("refused (%s): %v", tc.reason, err)
			case tc.denied != "" && (err == nil || !strings.Contains(err.Error(), tc.denied)):
				t.Errorf("want refusal %q (%s), got %v", tc.denied, tc.reason, err)
			}
		})
	}
}
