package controllers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
	"github.com/kubechat/whatsapp-operator/internal/webhookresources"
)

func TestProviderBecomesReadyOnceTheWebhookServerRuns(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.secret("acme-meta")
	p := f.provider("acme")

	// No kubelet yet: the webhook server has no ready replica.
	f.waitCondition(p, "WebhookReady", metav1.ConditionFalse, "WaitingForWebhook")
	f.waitCondition(p, "Reconciling", metav1.ConditionTrue, "WaitingForWebhook")
	if got := kstatus(p.Generation, p.Status.ObservedGeneration, p.Status.Conditions); got != "InProgress" {
		t.Errorf("kstatus while waiting for the webhook server = %s, want InProgress", got)
	}

	f.markWebhookReady("acme")
	f.waitCondition(p, "Ready", metav1.ConditionTrue, "Succeeded")
	for _, ct := range []string{"CredentialsValid", "AppSubscribed", "WebhookReady"} {
		if c := condition(p, ct); c == nil || c.Status != metav1.ConditionTrue {
			t.Errorf("%s = %+v, want True", ct, c)
		}
	}
	for _, ct := range []string{"Reconciling", "Stalled"} {
		if c := condition(p, ct); c != nil {
			t.Errorf("%s present on a Ready provider: %+v (present only while True)", ct, c)
		}
	}
	if p.Status.BusinessAccountName != wabaName || p.Status.PhoneNumberCount != 1 {
		t.Errorf("status = name %q, numbers %d; want %q, 1", p.Status.BusinessAccountName, p.Status.PhoneNumberCount, wabaName)
	}
	if p.Status.Webhook == nil || p.Status.Webhook.ServiceName != "acme-webhook" || p.Status.Webhook.ReadyReplicas != 1 {
		t.Errorf("status.webhook = %+v", p.Status.Webhook)
	}
	if p.Status.ObservedGeneration != p.Generation {
		t.Errorf("observedGeneration %d, want %d once Ready", p.Status.ObservedGeneration, p.Generation)
	}
	if got := kstatus(p.Generation, p.Status.ObservedGeneration, p.Status.Conditions); got != "Current" {
		t.Errorf("kstatus = %s, want Current", got)
	}
	subs := f.sim.Subscriptions(wabaID)
	if len(subs) != 1 || subs[0].AppID != appID {
		t.Errorf("subscriptions at Meta = %+v, want our app %s", subs, appID)
	}
	f.waitEvent("acme", "Subscribed")
}

func TestProviderSubscribesWithCallbackOverrideOnlyOnceTheWebhookServerRuns(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.secret("acme-meta")
	p := f.provider("acme", func(p *whatsappv1alpha1.MetaProvider) {
		p.Spec.Webhook = &whatsappv1alpha1.ProviderWebhook{PublicURL: "https://wa.example.com/webhook"}
	})
	f.waitCondition(p, "AppSubscribed", metav1.ConditionFalse, "WaitingForWebhook")
	if subs := f.sim.Subscriptions(wabaID); len(subs) != 0 {
		t.Fatalf("subscribed before the webhook server could answer Meta's verification: %+v", subs)
	}
	f.markWebhookReady("acme")
	f.waitCondition(p, "Ready", metav1.ConditionTrue, "")
	subs := f.sim.Subscriptions(wabaID)
	if len(subs) != 1 || subs[0].OverrideCallbackURI != "https://wa.example.com/webhook" {
		t.Fatalf("subscriptions = %+v, want the override", subs)
	}
	if subs[0].VerifyToken != f.verify {
		t.Errorf("the override was registered without the Secret's verify token")
	}
}

func TestProviderSecretProblemsAreNamedAndFixedAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	p := f.provider("acme")
	f.markWebhookReady("acme")

	f.waitCondition(p, "Stalled", metav1.ConditionTrue, "SecretNotFound")
	if c := condition(p, "Ready"); !strings.Contains(c.Message, "acme-meta") {
		t.Errorf("message does not name the Secret: %s", c.Message)
	}
	if got := kstatus(p.Generation, p.Status.ObservedGeneration, p.Status.Conditions); got != "Failed" {
		t.Errorf("kstatus = %s, want Failed", got)
	}

	// A Secret without the verify token: the missing key is named.
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "acme-meta"}, StringData: map[string]string{"accessToken": f.token, "appSecret": appSecret}}
	f.create(s)
	f.waitCondition(p, "Stalled", metav1.ConditionTrue, "SecretKeyMissing")
	if c := condition(p, "Ready"); !strings.Contains(c.Message, "verifyToken") {
		t.Errorf("message does not name the missing key: %s", c.Message)
	}

	// Fixing the Secret is picked up by the Secret watch, not at syncInterval.
	patch := client.MergeFrom(s.DeepCopy())
	s.StringData = map[string]string{"verifyToken": f.verify}
	if err := f.c.Patch(context.Background(), s, patch); err != nil {
		t.Fatal(err)
	}
	f.waitCondition(p, "Ready", metav1.ConditionTrue, "")
}

func TestTokenRotationIsUsedAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	p := f.readyProvider("acme")

	// The token is revoked at Meta and a bad one is put in the Secret.
	if err := f.sim.RevokeToken(f.token); err != nil {
		t.Fatal(err)
	}
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "acme-meta", Namespace: f.ns}}
	f.get(s)
	patch := client.MergeFrom(s.DeepCopy())
	s.Data["accessToken"] = []byte("EAAG-revoked-or-typo")
	if err := f.c.Patch(context.Background(), s, patch); err != nil {
		t.Fatal(err)
	}
	f.waitCondition(p, "Stalled", metav1.ConditionTrue, "InvalidCredentials")
	if c := condition(p, "CredentialsValid"); c == nil || c.Status != metav1.ConditionFalse || !strings.Contains(c.Message, "190") {
		t.Errorf("CredentialsValid = %+v, want False with Meta's code 190", c)
	}

	// Rotation: a new token in the Secret is used at once (syncInterval is 10m).
	newToken := "EAAG-rotated-token"
	f.sim.AddToken(graphsim.Token{Value: newToken, AppID: appID})
	f.get(s)
	patch = client.MergeFrom(s.DeepCopy())
	s.Data["accessToken"] = []byte(newToken)
	if err := f.c.Patch(context.Background(), s, patch); err != nil {
		t.Fatal(err)
	}
	f.waitCondition(p, "Ready", metav1.ConditionTrue, "")
}

func TestProviderNamesMissingScopes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{scopes: []string{graphsim.ScopeManagement}})
	f.secret("acme-meta")
	p := f.provider("acme")
	f.markWebhookReady("acme")
	f.waitCondition(p, "Stalled", metav1.ConditionTrue, "MissingPermission")
	if c := condition(p, "Ready"); !strings.Contains(c.Message, "whatsapp_business_messaging") {
		t.Errorf("message does not name the missing scope: %s", c.Message)
	}
}

func TestGraphOutageIsNotACredentialsProblem(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.sim.InjectFault(graphsim.Fault{Endpoint: graphsim.EndpointGetBusinessAccount, Kind: graphsim.FaultServerError, Status: 503})
	f.secret("acme-meta")
	p := f.provider("acme")
	f.markWebhookReady("acme")
	f.waitCondition(p, "Reconciling", metav1.ConditionTrue, "GraphAPIError")
	if c := condition(p, "CredentialsValid"); c != nil && c.Status == metav1.ConditionFalse {
		t.Errorf("a 503 flipped CredentialsValid to False: %+v", c)
	}
	if c := condition(p, "Stalled"); c != nil {
		t.Errorf("a 503 stalled the provider: %+v", c)
	}
	f.sim.ClearFaults()
	f.waitCondition(p, "Ready", metav1.ConditionTrue, "")
}

func TestProviderOwnsItsWebhookServer(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	p := f.readyProvider("acme", func(p *whatsappv1alpha1.MetaProvider) {
		two := int32(2)
		p.Spec.Webhook = &whatsappv1alpha1.ProviderWebhook{Replicas: &two}
	})
	for _, obj := range webhookresources.Desired(p, webhookresources.Options{Image: "x", GraphAPIURL: "x"}) {
		got := obj.DeepCopyObject().(client.Object)
		if err := f.c.Get(context.Background(), client.ObjectKeyFromObject(obj), got); err != nil {
			t.Errorf("%T %s not created: %v", obj, obj.GetName(), err)
			continue
		}
		if refs := got.GetOwnerReferences(); len(refs) != 1 || refs[0].UID != p.UID {
			t.Errorf("%T %s owner references = %+v, want the provider", obj, obj.GetName(), refs)
		}
	}
}

func TestProviderDeletionUnsubscribesUnlessShared(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	a := f.readyProvider("acme")
	b := f.readyProvider("acme-two")
	if len(f.sim.Subscriptions(wabaID)) != 1 {
		t.Fatalf("want one subscription of our app: %+v", f.sim.Subscriptions(wabaID))
	}
	ctx := context.Background()
	if err := f.c.Delete(ctx, a); err != nil {
		t.Fatal(err)
	}
	f.eventually("first provider gone", func() bool { return f.c.Get(ctx, client.ObjectKeyFromObject(a), a) != nil })
	if n := f.sim.Calls(graphsim.EndpointUnsubscribeApp); n != 0 {
		t.Fatalf("unsubscribed while MetaProvider acme-two still uses the WABA (%d calls)", n)
	}
	if err := f.c.Delete(ctx, b); err != nil {
		t.Fatal(err)
	}
	f.eventually("second provider gone", func() bool { return f.c.Get(ctx, client.ObjectKeyFromObject(b), b) != nil })
	if subs := f.sim.Subscriptions(wabaID); len(subs) != 0 {
		t.Errorf("app still subscribed after the last provider went: %+v", subs)
	}
}

func TestExpiringTokenIsReportedAndWrongAppIsNamed(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		reason     string
		token      graphsim.Token
		wantReason string
		wantReady  metav1.ConditionStatus
		wantIn     string
	}{
		"expiring soon": {
			reason:     "a token expiring within a week still works, but on-call must hear of it before the bot goes silent",
			token:      graphsim.Token{AppID: appID, ExpiresAt: time.Now().Add(48 * time.Hour)},
			wantReason: "TokenExpiringSoon",
			wantReady:  metav1.ConditionTrue,
			wantIn:     "expires at",
		},
		"another app's token": {
			reason:     "a token of another app cannot subscribe our app",
			token:      graphsim.Token{AppID: "999000999000999"},
			wantReason: "AppMismatch",
			wantReady:  metav1.ConditionFalse,
			wantIn:     "999000999000999",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, fixtureOptions{})
			tc.token.Value = f.token
			if tc.token.AppID != appID {
				f.sim.AddApp(graphsim.App{ID: tc.token.AppID, Name: "Other", Secret: "other-secret"})
			}
			f.sim.AddToken(tc.token)
			f.secret("acme-meta")
			p := f.provider("acme")
			f.markWebhookReady("acme")
			f.waitCondition(p, "Ready", tc.wantReady, "")
			c := condition(p, "CredentialsValid")
			if c == nil || c.Reason != tc.wantReason || !strings.Contains(c.Message, tc.wantIn) {
				t.Fatalf("CredentialsValid = %+v, want reason %s mentioning %q (%s)", c, tc.wantReason, tc.wantIn, tc.reason)
			}
			if tc.wantReason == "TokenExpiringSoon" {
				if p.Status.TokenExpiresAt == nil || p.Status.TokenExpiresAt.Time.Sub(tc.token.ExpiresAt).Abs() > time.Second {
					t.Errorf("status.tokenExpiresAt = %v, want %v", p.Status.TokenExpiresAt, tc.token.ExpiresAt)
				}
				e := f.waitEvent("acme", "TokenExpiringSoon")
				if e.Type != corev1.EventTypeWarning {
					t.Errorf("expiry event type %s, want Warning", e.Type)
				}
			}
		})
	}
}
