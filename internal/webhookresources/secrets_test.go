package webhookresources

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// testCredentials are what the controller copies from the credentials
// Secret acme-meta.
var testCredentials = Credentials{AppSecret: "app-secret-3c9d", VerifyToken: "verify-token-7a1e"}

func mustApplySecrets(t *testing.T, p *v1alpha1.MetaProvider, creds Credentials) {
	t.Helper()
	if err := ApplySecrets(context.Background(), clients, env.Scheme, p, creds); err != nil {
		t.Fatalf("ApplySecrets: %v", err)
	}
}

func getSecret(t *testing.T, p *v1alpha1.MetaProvider, name string) *corev1.Secret {
	t.Helper()
	s := &corev1.Secret{}
	if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: p.Namespace, Name: name}, s); err != nil {
		t.Fatalf("get Secret %s: %v", name, err)
	}
	return s
}

func keysOf(s *corev1.Secret) []string {
	var keys []string
	for k := range s.Data {
		keys = append(keys, k)
	}
	return keys
}

func TestApplySecretsDerivesWithoutToken(t *testing.T) {
	p := createProvider(t)
	mustApplySecrets(t, p, testCredentials)

	hook := getSecret(t, p, "acme-webhook")
	want := map[string]string{
		"appSecret":     testCredentials.AppSecret,
		"verifyToken":   testCredentials.VerifyToken,
		"forwardingKey": string(hook.Data["forwardingKey"]),
	}
	got := map[string]string{}
	for k, v := range hook.Data {
		got[k] = string(v)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the webhook Secret holds the app secret, the verify token and the forwarding key, and nothing else (no accessToken) (-want +got):\n%s", diff)
	}
	fwd := getSecret(t, p, "acme-forwarding")
	if diff := cmp.Diff([]string{"forwardingKey"}, keysOf(fwd)); diff != "" {
		t.Errorf("the forwarding Secret, which chatbots read, holds the key alone (-want +got):\n%s", diff)
	}
	key := string(fwd.Data["forwardingKey"])
	if raw, err := hex.DecodeString(key); err != nil || len(raw) != 32 {
		t.Errorf("the forwarding key is 32 random bytes as hex (%d characters, err %v)", len(key), err)
	}
	if key != want["forwardingKey"] {
		t.Error("the webhook server signs with the key chatbots verify with: both Secrets hold the same key")
	}
	for _, s := range []*corev1.Secret{hook, fwd} {
		if ctl := metav1.GetControllerOf(s); ctl == nil || ctl.UID != p.UID {
			t.Errorf("Secret %s is not controlled by the provider (garbage collection with it): %+v", s.Name, s.OwnerReferences)
		}
		if s.Labels["app.kubernetes.io/managed-by"] != "whatsapp-operator" || s.Labels["whatsapp.kubechat.io/provider"] != "acme" {
			t.Errorf("Secret %s is labelled like the other managed objects: %v", s.Name, s.Labels)
		}
	}
}

func TestApplySecretsForwardingKeyLifecycle(t *testing.T) {
	ctx := context.Background()
	cases := map[string]struct {
		reason  string
		between func(t *testing.T, p *v1alpha1.MetaProvider)
		creds   Credentials
		newKey  bool
		check   func(t *testing.T, hook *corev1.Secret)
	}{
		"KeptAcrossApplies": {
			reason:  "the key is generated once: later reconciles keep it, and write nothing",
			between: func(*testing.T, *v1alpha1.MetaProvider) {},
			creds:   testCredentials,
		},
		"AppSecretRotated": {
			reason:  "a rotated app secret (and a previous one kept for the rotation) reaches the webhook Secret; the key stays",
			between: func(*testing.T, *v1alpha1.MetaProvider) {},
			creds:   Credentials{AppSecret: "app-secret-new", AppSecretPrevious: testCredentials.AppSecret, VerifyToken: testCredentials.VerifyToken},
			check: func(t *testing.T, hook *corev1.Secret) {
				if string(hook.Data["appSecret"]) != "app-secret-new" || string(hook.Data["appSecretPrevious"]) != testCredentials.AppSecret {
					t.Errorf("webhook Secret keys %v do not follow the rotation", keysOf(hook))
				}
			},
		},
		"DeletedIsRotated": {
			reason: "deleting the forwarding Secret rotates the key: a new one, in both Secrets",
			between: func(t *testing.T, p *v1alpha1.MetaProvider) {
				if err := env.Client.Delete(ctx, getSecret(t, p, "acme-forwarding")); err != nil {
					t.Fatal(err)
				}
			},
			creds:  testCredentials,
			newKey: true,
		},
		"WeakKeyReplaced": {
			reason: "a key shorter than ours, written by hand, is replaced",
			between: func(t *testing.T, p *v1alpha1.MetaProvider) {
				s := getSecret(t, p, "acme-forwarding")
				s.Data["forwardingKey"] = []byte("short")
				if err := env.Client.Update(ctx, s); err != nil {
					t.Fatal(err)
				}
			},
			creds:  testCredentials,
			newKey: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := createProvider(t)
			mustApplySecrets(t, p, testCredentials)
			first := string(getSecret(t, p, "acme-forwarding").Data["forwardingKey"])
			tc.between(t, p)
			before := getSecret(t, p, "acme-webhook").ResourceVersion
			mustApplySecrets(t, p, tc.creds)
			hook := getSecret(t, p, "acme-webhook")
			key := string(getSecret(t, p, "acme-forwarding").Data["forwardingKey"])
			if (key != first) != tc.newKey || string(hook.Data["forwardingKey"]) != key || len(key) != 64 {
				t.Errorf("%s\nkey changed %v, want %v; webhook Secret holds the same key: %v", tc.reason, key != first, tc.newKey, string(hook.Data["forwardingKey"]) == key)
			}
			if tc.check != nil {
				tc.check(t, hook)
			}
			if name == "KeptAcrossApplies" && hook.ResourceVersion != before {
				t.Errorf("%s\nthe webhook Secret was modified by an Apply that changed nothing", tc.reason)
			}
		})
	}
}

// TestWebhookServiceAccountCannotReadToken impersonates the webhook
// server's ServiceAccount, bound by the Role and RoleBinding Apply wrote, and
// asks the API server what the internet-facing pod may read.
func TestWebhookServiceAccountCannotReadToken(t *testing.T) {
	ctx := context.Background()
	p := createProvider(t)
	creds := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: "acme-meta"},
		StringData: map[string]string{"accessToken": "EAAG-token", "appSecret": testCredentials.AppSecret, "verifyToken": testCredentials.VerifyToken},
	}
	if err := env.Client.Create(ctx, creds); err != nil {
		t.Fatal(err)
	}
	mustApply(t, p)
	mustApplySecrets(t, p, testCredentials)

	cfg := rest.CopyConfig(env.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:" + p.Namespace + ":acme-webhook"}
	sa, err := client.New(cfg, client.Options{Scheme: env.Scheme})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		reason    string
		read      func() error
		forbidden bool
	}{
		"CredentialsSecret": {
			reason:    "the credentials Secret holds the access token: the webhook pod may not read it",
			read:      func() error { return sa.Get(ctx, client.ObjectKeyFromObject(creds), &corev1.Secret{}) },
			forbidden: true,
		},
		"ForwardingSecret": {
			reason: "the webhook pod needs no Secret but its own",
			read: func() error {
				return sa.Get(ctx, client.ObjectKey{Namespace: p.Namespace, Name: "acme-forwarding"}, &corev1.Secret{})
			},
			forbidden: true,
		},
		"ListSecrets": {
			reason:    "nor may it list Secrets to find the token",
			read:      func() error { return sa.List(ctx, &corev1.SecretList{}, client.InNamespace(p.Namespace)) },
			forbidden: true,
		},
		"WebhookSecret": {
			reason: "its own Secret, by name, it may read",
			read: func() error {
				return sa.Get(ctx, client.ObjectKey{Namespace: p.Namespace, Name: "acme-webhook"}, &corev1.Secret{})
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := tc.read()
			if tc.forbidden && !apierrors.IsForbidden(err) {
				t.Errorf("%s\ngot %v, want 403 Forbidden", tc.reason, err)
			}
			if !tc.forbidden && err != nil {
				t.Errorf("%s\ngot %v", tc.reason, err)
			}
			if err != nil && strings.Contains(err.Error(), "EAAG-token") {
				t.Error("the token appears in the error")
			}
		})
	}
}
