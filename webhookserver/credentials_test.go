package webhookserver

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

func TestCredentialStore(t *testing.T) {
	secretData := func(app, verify, previous string) map[string][]byte {
		d := map[string][]byte{whatsappv1alpha1.SecretKeyAppSecret: []byte(app), whatsappv1alpha1.SecretKeyVerifyToken: []byte(verify),
			whatsappv1alpha1.SecretKeyForwardingKey: []byte("fwd")}
		if previous != "" {
			d[SecretKeyAppSecretPrevious] = []byte(previous)
		}
		return d
	}
	type step struct {
		update  map[string][]byte // nil: Clear
		advance time.Duration
	}
	type want struct {
		ready   bool
		secrets []string
		verify  string
	}
	cases := map[string]struct {
		reason string
		steps  []step
		want   want
	}{
		"Loaded": {
			reason: "both keys present: ready, one secret",
			steps:  []step{{update: secretData("one", "tok", "")}},
			want:   want{ready: true, secrets: []string{"one"}, verify: "tok"},
		},
		"Trimmed": {
			reason: "a trailing newline from --from-file is not part of the secret",
			steps:  []step{{update: secretData("one\n", " tok\n", "")}},
			want:   want{ready: true, secrets: []string{"one"}, verify: "tok"},
		},
		"MissingForwardingKey": {
			reason: "without the forwarding key the server could not sign what it forwards: not ready",
			steps:  []step{{update: map[string][]byte{whatsappv1alpha1.SecretKeyAppSecret: []byte("one"), whatsappv1alpha1.SecretKeyVerifyToken: []byte("tok")}}},
			want:   want{ready: false, secrets: []string{"one"}, verify: "tok"},
		},
		"MissingVerifyToken": {
			reason: "without the verify token the server is not ready",
			steps:  []step{{update: secretData("one", "", "")}},
			want:   want{ready: false, secrets: []string{"one"}},
		},
		"RotationGrace": {
			reason: "right after a change the previous app secret is still accepted",
			steps:  []step{{update: secretData("one", "tok", "")}, {update: secretData("two", "tok", ""), advance: 30 * time.Minute}},
			want:   want{ready: true, secrets: []string{"two", "one"}, verify: "tok"},
		},
		"RotationOver": {
			reason: "after the grace period only the new secret is accepted",
			steps:  []step{{update: secretData("one", "tok", "")}, {update: secretData("two", "tok", ""), advance: 2 * time.Hour}},
			want:   want{ready: true, secrets: []string{"two"}, verify: "tok"},
		},
		"ExplicitPrevious": {
			reason: "appSecretPrevious is accepted for as long as the key exists",
			steps:  []step{{update: secretData("two", "tok", "one"), advance: 48 * time.Hour}},
			want:   want{ready: true, secrets: []string{"two", "one"}, verify: "tok"},
		},
		"DeleteRecreate": {
			reason: "deleting and re-creating the Secret is a rotation too",
			steps:  []step{{update: secretData("one", "tok", "")}, {update: nil}, {update: secretData("two", "tok", "")}},
			want:   want{ready: true, secrets: []string{"two", "one"}, verify: "tok"},
		},
		"Deleted": {
			reason: "a deleted Secret unloads the credentials",
			steps:  []step{{update: secretData("one", "tok", "")}, {update: nil}},
			want:   want{ready: false, secrets: nil},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			now := time.Unix(0, 0)
			s := newCredentialStore(time.Hour, func() time.Time { return now })
			for i, st := range tc.steps {
				if st.update == nil {
					s.Clear()
				} else {
					s.Update(st.update)
				}
				if i == len(tc.steps)-1 {
					now = now.Add(st.advance)
				}
			}
			got := want{ready: s.Ready()}
			for _, b := range s.AppSecrets() {
				got.secrets = append(got.secrets, string(b))
			}
			got.verify, _ = s.VerifyToken()
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSecretKeysName(t *testing.T) {
	p := &whatsappv1alpha1.MetaProvider{}
	p.Name = "acme"
	p.Spec.CredentialsSecretRef.Name = "acme-meta"
	cases := map[string]struct {
		reason   string
		override string
		want     string
	}{
		"Derived": {
			reason: "by default the server reads the Secret the operator derives for it, never the credentials Secret with the access token",
			want:   "acme-webhook",
		},
		"Override": {
			reason:   "--credentials-secret names another Secret, for a server run by hand",
			override: "laptop-secret",
			want:     "laptop-secret",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			spec := secretKeys(tc.override)
			if got := spec.Name(p); got != tc.want {
				t.Errorf("%s\nSecret %q, want %q", tc.reason, got, tc.want)
			}
			for _, k := range spec.Keys {
				if k == whatsappv1alpha1.SecretKeyAccessToken {
					t.Errorf("%s\nthe access token is among the keys kept", tc.reason)
				}
			}
		})
	}
}
