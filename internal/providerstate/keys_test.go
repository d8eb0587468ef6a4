package providerstate

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

func TestSecretSpecKeepsOnlyItsKeys(t *testing.T) {
	spec := SecretSpec{Keys: []string{"appSecret", "verifyToken"}, Required: []string{"appSecret", "verifyToken"}}
	secret := map[string][]byte{"appSecret": []byte("s"), "verifyToken": []byte("v"), "accessToken": []byte("EAAG-token")}
	got := spec.pick(secret)
	if diff := cmp.Diff(map[string][]byte{"appSecret": []byte("s"), "verifyToken": []byte("v")}, got); diff != "" {
		t.Errorf("a consumer that did not ask for accessToken must never hold it (-want +got):\n%s", diff)
	}
	secret["appSecret"][0] = 'X'
	if string(got["appSecret"]) != "s" {
		t.Error("picked values must be copies, not views of the Secret's bytes")
	}
}

func TestSecretSpecComplete(t *testing.T) {
	spec := SecretSpec{Keys: []string{"a", "b", "c"}, Required: []string{"a", "b"}}
	cases := map[string]struct {
		reason string
		data   map[string][]byte
		want   bool
	}{
		"All":        {reason: "every required key present", data: map[string][]byte{"a": []byte("1"), "b": []byte("2")}, want: true},
		"Missing":    {reason: "a required key absent", data: map[string][]byte{"a": []byte("1")}, want: false},
		"Blank":      {reason: "a newline from --from-file is not a value", data: map[string][]byte{"a": []byte("1"), "b": []byte(" \n")}, want: false},
		"Optional":   {reason: "optional keys are not needed", data: map[string][]byte{"a": []byte("1"), "b": []byte("2"), "c": nil}, want: true},
		"NothingYet": {reason: "no Secret", data: nil, want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := spec.complete(tc.data); got != tc.want {
				t.Errorf("%s: complete = %v, want %v", tc.reason, got, tc.want)
			}
		})
	}
}

func TestSecretSpecName(t *testing.T) {
	p := &whatsappv1alpha1.MetaProvider{}
	p.Name = "acme"
	p.Spec.CredentialsSecretRef.Name = "acme-meta"
	if got := (SecretSpec{}).secretName(p); got != "acme-meta" {
		t.Errorf("default: got %q, want the provider's credentials Secret", got)
	}
	derived := SecretSpec{Name: func(p *whatsappv1alpha1.MetaProvider) string { return p.Name + "-webhook-credentials" }}
	if got := derived.secretName(p); got != "acme-webhook-credentials" {
		t.Errorf("a consumer may watch another Secret: got %q", got)
	}
	if got := derived.secretName(nil); got != "" {
		t.Errorf("no provider, no Secret: got %q", got)
	}
}
