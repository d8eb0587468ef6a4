package webhookserver

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestVerifySignature(t *testing.T) {
	body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"text":"caf\u00e9 @ 🎉"},"field":"messages"}]}]}`)
	current, previous := []byte("current-secret"), []byte("previous-secret")
	good := signatureHeader(current, body)
	type want struct {
		index int
		err   error
	}
	cases := map[string]struct {
		reason  string
		header  string
		body    []byte
		secrets [][]byte
		want    want
	}{
		"Valid": {
			reason: "the HMAC of the raw bytes under the current secret is accepted",
			header: good, body: body, secrets: [][]byte{current},
			want: want{index: 0},
		},
		"UppercaseHex": {
			reason: "hex digits are compared as bytes, not as text",
			header: "sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256=")), body: body, secrets: [][]byte{current},
			want: want{index: 0},
		},
		"PreviousSecret": {
			reason: "during a rotation a body signed with the previous secret is accepted, and said so",
			header: signatureHeader(previous, body), body: body, secrets: [][]byte{current, previous},
			want: want{index: 1},
		},
		"Missing": {
			reason: "no header is its own error (401)",
			header: "", body: body, secrets: [][]byte{current},
			want: want{index: -1, err: errSignatureMissing},
		},
		"Sha1Only": {
			reason: "the legacy sha1= form is not accepted",
			header: "sha1=0123456789abcdef0123456789abcdef01234567", body: body, secrets: [][]byte{current},
			want: want{index: -1, err: errSignatureMalformed},
		},
		"ShortDigest": {
			reason: "a digest of the wrong length is malformed",
			header: good[:len(good)-2], body: body, secrets: [][]byte{current},
			want: want{index: -1, err: errSignatureMalformed},
		},
		"NotHex": {
			reason: "a digest that is not hex is malformed",
			header: "sha256=" + strings.Repeat("zz", 32), body: body, secrets: [][]byte{current},
			want: want{index: -1, err: errSignatureMalformed},
		},
		"Tampered": {
			reason: "one changed byte of the body breaks the signature",
			header: good, body: append([]byte{' '}, body...), secrets: [][]byte{current},
			want: want{index: -1, err: errSignatureMismatch},
		},
		"OtherSecret": {
			reason: "a body signed with a secret we do not hold is refused",
			header: signatureHeader([]byte("attacker"), body), body: body, secrets: [][]byte{current, previous},
			want: want{index: -1, err: errSignatureMismatch},
		},
		"NoSecrets": {
			reason: "without a secret nothing verifies",
			header: good, body: body, secrets: nil,
			want: want{index: -1, err: errSignatureMismatch},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			idx, err := verifySignature(tc.header, tc.body, tc.secrets)
			if diff := cmp.Diff(tc.want, want{index: idx, err: err}, cmp.AllowUnexported(want{}), cmpopts.EquateErrors()); diff != "" {
				t.Errorf("%s\nverifySignature(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
