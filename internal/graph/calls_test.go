package graph_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

func TestReadCalls(t *testing.T) {
	e := newEnv(t)
	if err := e.sim.SetProfile(phoneID, graphsim.BusinessProfile{About: "We answer fast", Vertical: "RETAIL", Websites: []string{"https://acme.example"}}); err != nil {
		t.Fatal(err)
	}
	wantPhone := graph.PhoneNumber{
		ID: phoneID, DisplayPhoneNumber: "+1 202-555-0123", VerifiedName: "Acme Support",
		CodeVerificationStatus: "VERIFIED", QualityRating: "GREEN", Status: "CONNECTED",
		MessagingLimitTier: "TIER_1K", PlatformType: "CLOUD_API", NameStatus: "APPROVED",
		AccountMode: "LIVE", ThroughputLevel: "STANDARD",
	}
	cases := map[string]struct {
		reason   string
		call     func(context.Context, *graph.Client) (any, error)
		want     any
		endpoint string
	}{
		"GetBusinessAccount": {
			reason:   "GET /{waba} answers the WABA's id and name",
			call:     func(ctx context.Context, c *graph.Client) (any, error) { return c.GetBusinessAccount(ctx, wabaID) },
			want:     &graph.BusinessAccount{ID: wabaID, Name: "Acme Support"},
			endpoint: graphsim.EndpointGetBusinessAccount,
		},
		"ListPhoneNumbers": {
			reason:   "the WABA's numbers come back with every field the controllers read",
			call:     func(ctx context.Context, c *graph.Client) (any, error) { return c.ListPhoneNumbers(ctx, wabaID) },
			want:     []graph.PhoneNumber{wantPhone},
			endpoint: graphsim.EndpointListPhoneNumbers,
		},
		"GetPhoneNumber": {
			reason:   "one number by id, throughput.level flattened",
			call:     func(ctx context.Context, c *graph.Client) (any, error) { return c.GetPhoneNumber(ctx, phoneID) },
			want:     &wantPhone,
			endpoint: graphsim.EndpointGetPhoneNumber,
		},
		"GetBusinessProfile": {
			reason:   "data[0] of whatsapp_business_profile",
			call:     func(ctx context.Context, c *graph.Client) (any, error) { return c.GetBusinessProfile(ctx, phoneID) },
			want:     &graph.BusinessProfile{About: "We answer fast", Vertical: "RETAIL", Websites: []string{"https://acme.example"}},
			endpoint: graphsim.EndpointGetBusinessProfile,
		},
		"ListSubscribedAppsEmpty": {
			reason:   "no app subscribed is an empty list, not an error",
			call:     func(ctx context.Context, c *graph.Client) (any, error) { return c.ListSubscribedApps(ctx, wabaID) },
			want:     []graph.SubscribedApp(nil),
			endpoint: graphsim.EndpointListSubscribedApps,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			before := e.sim.Calls(tc.endpoint)
			got, err := tc.call(context.Background(), e.client)
			if err != nil {
				t.Fatalf("%s: unexpected error: %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s: -want +got:\n%s", tc.reason, diff)
			}
			if n := e.sim.Calls(tc.endpoint) - before; n != 1 {
				t.Errorf("%s: %d calls to %s, want 1", tc.reason, n, tc.endpoint)
			}
		})
	}
}

func TestWriteCalls(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := e.client

	if _, err := e.sim.AddPhoneNumber(wabaID, graphsim.PhoneNumber{ID: "555", DisplayPhoneNumber: "+1 202-555-0199", PlatformType: "NOT_APPLICABLE", Status: "PENDING"}); err != nil {
		t.Fatal(err)
	}
	if err := c.RegisterPhoneNumber(ctx, "555", testPIN); err != nil {
		t.Fatalf("register: %v", err)
	}
	if got, _ := c.GetPhoneNumber(ctx, "555"); got.PlatformType != graph.PlatformCloudAPI {
		t.Errorf("register should move the number to CLOUD_API, got %q", got.PlatformType)
	}

	profile := graph.BusinessProfile{About: "Hi", Address: "1 Main St", Email: "a@acme.example", Vertical: "PROF_SERVICES", Websites: []string{"https://acme.example"}}
	if err := c.UpdateBusinessProfile(ctx, phoneID, profile); err != nil {
		t.Fatalf("update profile: %v", err)
	}
	stored, _ := e.sim.Profile(phoneID)
	if diff := cmp.Diff(graphsim.BusinessProfile{About: "Hi", Address: "1 Main St", Email: "a@acme.example", Vertical: "PROF_SERVICES", Websites: []string{"https://acme.example"}}, stored); diff != "" {
		t.Errorf("the profile Meta holds should equal the one sent: -want +got:\n%s", diff)
	}

	if err := c.SubscribeApp(ctx, wabaID, &graph.CallbackOverride{URL: "https://wa.acme.example/webhook", VerifyToken: testVerifyToken}); err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	apps, err := c.ListSubscribedApps(ctx, wabaID)
	if err != nil {
		t.Fatal(err)
	}
	wantApps := []graph.SubscribedApp{{AppID: appID, Name: "Acme Bot App", Link: "https://www.facebook.com/games/?app_id=" + appID, OverrideCallbackURI: "https://wa.acme.example/webhook"}}
	if diff := cmp.Diff(wantApps, apps); diff != "" {
		t.Errorf("subscribed apps: -want +got:\n%s", diff)
	}
	if subs := e.sim.Subscriptions(wabaID); len(subs) != 1 || subs[0].VerifyToken != testVerifyToken {
		t.Errorf("the verify token should reach Meta, got %+v", subs)
	}
	if err := c.UnsubscribeApp(ctx, wabaID); err != nil {
		t.Fatalf("unsubscribe: %v", err)
	}
	if subs := e.sim.Subscriptions(wabaID); len(subs) != 0 {
		t.Errorf("unsubscribe should remove our app, got %+v", subs)
	}
}

func TestDebugToken(t *testing.T) {
	e := newEnv(t)
	cases := map[string]struct {
		reason string
		secret string
	}{
		"AppToken":  {reason: "with the app secret the call authenticates as <appID>|<appSecret>", secret: testAppSecret},
		"SelfToken": {reason: "without a secret the token inspects itself as Bearer", secret: ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			info, err := e.client.DebugToken(context.Background(), appID, tc.secret)
			if err != nil {
				t.Fatalf("%s: %v", tc.reason, err)
			}
			want := &graph.TokenInfo{
				AppID: appID, Application: "Acme Bot App", Type: "SYSTEM_USER", UserID: info.UserID, IsValid: true,
				IssuedAt: info.IssuedAt,
				Scopes:   []string{graph.ScopeWhatsAppManagement, graph.ScopeWhatsAppMessaging},
				GranularScopes: []graph.GranularScope{
					{Scope: graph.ScopeWhatsAppManagement, TargetIDs: []string{wabaID}},
					{Scope: graph.ScopeWhatsAppMessaging, TargetIDs: []string{wabaID}},
				},
			}
			if diff := cmp.Diff(want, info); diff != "" {
				t.Errorf("%s: -want +got:\n%s", tc.reason, diff)
			}
			if m := info.MissingScopes(graph.ScopeWhatsAppManagement, graph.ScopeWhatsAppMessaging); m != nil {
				t.Errorf("no scope should be missing, got %v", m)
			}
		})
	}

	t.Run("Revoked", func(t *testing.T) {
		e := newEnv(t)
		if err := e.sim.RevokeToken(testToken); err != nil {
			t.Fatal(err)
		}
		info, err := e.client.DebugToken(context.Background(), appID, testAppSecret)
		if err != nil {
			t.Fatalf("a revoked token is reported, not an error: %v", err)
		}
		if info.IsValid || info.ErrorCode != 190 {
			t.Errorf("want is_valid=false and error 190, got %+v", info)
		}
	})
}

// TestDebugTokenWrongAppSecret: with the app token <appID>|<appSecret> a
// wrong secret answers 190. The access token is fine, so the advice must
// name the app id or secret, not ask for a new token.
func TestDebugTokenWrongAppSecret(t *testing.T) {
	cases := map[string]struct {
		reason  string
		secret  string
		revoke  bool
		wantApp bool
	}{
		"WrongSecret":  {reason: "a wrong app secret blames the app credentials", secret: "wrong-app-secret", wantApp: true},
		"RevokedToken": {reason: "without an app secret a 190 is about the access token", secret: "", revoke: true, wantApp: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			if tc.revoke {
				if err := e.sim.RevokeToken(testToken); err != nil {
					t.Fatal(err)
				}
			}
			_, err := e.client.DebugToken(context.Background(), appID, tc.secret)
			if graph.Classify(err) != graph.ClassBadCredentials {
				t.Fatalf("%s: want bad credentials, got %v (%s)", tc.reason, err, graph.Classify(err))
			}
			var me *graph.Error
			if !errors.As(err, &me) || me.AppCredentials != tc.wantApp {
				t.Fatalf("%s: AppCredentials should be %v: %#v", tc.reason, tc.wantApp, err)
			}
			d := graph.Describe(err)
			blamesApp := strings.Contains(d, "app id or app secret is wrong")
			blamesToken := strings.Contains(d, "new system-user token")
			if blamesApp != tc.wantApp || blamesToken == tc.wantApp {
				t.Errorf("%s: wrong advice: %q", tc.reason, d)
			}
			if strings.Contains(d, tc.secret) && tc.secret != "" {
				t.Errorf("%s: the secret leaked: %q", tc.reason, d)
			}
		})
	}
}

func TestMessagesAndMedia(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	body := []byte(`{"messaging_product":"whatsapp","to":"16505551234","type":"text","text":{"body":"hi"}}`)
	raw, err := e.client.SendMessage(ctx, phoneID, body)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	var ans struct {
		Messages []struct{ ID string } `json:"messages"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil || len(ans.Messages) != 1 || ans.Messages[0].ID == "" {
		t.Fatalf("the raw answer should carry a wamid, got %s (%v)", raw, err)
	}
	sent := e.sim.SentMessages(phoneID)
	if len(sent) != 1 || sent[0].ID != ans.Messages[0].ID || string(sent[0].Body) != string(body) {
		t.Errorf("Meta should receive the body verbatim, got %+v", sent)
	}

	id, err := e.client.UploadMedia(ctx, phoneID, []byte("\x89PNG fake"), "image/png", "logo.png")
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	m, ok := e.sim.Media(id)
	if !ok || m.MIMEType != "image/png" || m.Filename != "logo.png" || m.Size != 9 {
		t.Errorf("the multipart upload should reach Meta intact, got %+v", m)
	}
}
