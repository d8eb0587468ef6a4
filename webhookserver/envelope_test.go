package webhookserver

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseEnvelope(t *testing.T) {
	type want struct {
		object  string
		entries []string // WABA id and fields of each entry
		err     bool
	}
	summarize := func(env *Envelope) []string {
		var out []string
		for _, e := range env.Entry {
			s := e.WABAID() + ":"
			for _, c := range e.Changes {
				s += c.Field + ","
			}
			out = append(out, s)
		}
		return out
	}
	cases := map[string]struct {
		reason string
		body   string
		want   want
	}{
		"TwoEntries": {
			reason: "every entry and every change is read, in order",
			body:   `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{}},{"field":"calls","value":{}}]},{"id":"2","changes":[{"field":"account_update","value":{}}]}]}`,
			want:   want{object: objectWhatsApp, entries: []string{"1:messages,calls,", "2:account_update,"}},
		},
		"NumericID": {
			reason: "a WABA id sent as a number reads as its digits",
			body:   `{"object":"whatsapp_business_account","entry":[{"id":102290129340398,"changes":[]}]}`,
			want:   want{object: objectWhatsApp, entries: []string{"102290129340398:"}},
		},
		"OtherObject": {
			reason: "another product's envelope parses; the caller ignores it",
			body:   `{"object":"page","entry":[]}`,
			want:   want{object: "page", entries: nil},
		},
		"Garbage":     {reason: "not JSON", body: `not json`, want: want{err: true}},
		"Array":       {reason: "JSON but not an object", body: `[1,2]`, want: want{err: true}},
		"EmptyObject": {reason: "an object without object or entry is no envelope", body: `{}`, want: want{err: true}},
		"Null":        {reason: "null is no envelope", body: `null`, want: want{err: true}},
		"EntryString": {reason: "entry of the wrong type", body: `{"object":"whatsapp_business_account","entry":"x"}`, want: want{err: true}},
		"Truncated":   {reason: "a truncated body", body: `{"object":"whatsapp_business_account","entry":[{"id":"1"`, want: want{err: true}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			env, err := ParseEnvelope([]byte(tc.body))
			got := want{err: err != nil}
			if env != nil {
				got.object, got.entries = env.Object, summarize(env)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nParseEnvelope(%s): -want, +got:\n%s", tc.reason, tc.body, diff)
			}
		})
	}
}

func TestRawID(t *testing.T) {
	cases := map[string]struct {
		reason string
		raw    string
		want   string
	}{
		"String":    {reason: "a JSON string is its content", raw: `"106540352242922"`, want: "106540352242922"},
		"Number":    {reason: "template ids arrive as numbers; no float rounding", raw: `1689556908129835`, want: "1689556908129835"},
		"BigNumber": {reason: "ids beyond 2^53 keep every digit", raw: `12345678901234567890`, want: "12345678901234567890"},
		"Null":      {reason: "null is no id", raw: `null`, want: ""},
		"Object":    {reason: "an object is no id", raw: `{"a":1}`, want: ""},
		"Empty":     {reason: "absent is no id", raw: ``, want: ""},
		"Spaces":    {reason: "surrounding spaces are dropped", raw: `" 42 "`, want: "42"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, rawID(json.RawMessage(tc.raw))); diff != "" {
				t.Errorf("%s\nrawID(%s): -want, +got:\n%s", tc.reason, tc.raw, diff)
			}
		})
	}
}

func TestDigits(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     string
		want   string
	}{
		"E164":         {reason: "the + goes", in: "+12025550123", want: "12025550123"},
		"Formatted":    {reason: "Meta's display format", in: "+1 202-555-0123", want: "12025550123"},
		"WebhookStyle": {reason: "webhooks send digits only", in: "12025550123", want: "12025550123"},
		"Placeholder":  {reason: "no digits at all", in: "<BUSINESS_DISPLAY_PHONE_NUMBER>", want: ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, digits(tc.in)); diff != "" {
				t.Errorf("%s\ndigits(%q): -want, +got:\n%s", tc.reason, tc.in, diff)
			}
		})
	}
}
