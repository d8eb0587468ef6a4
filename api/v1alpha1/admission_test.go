package v1alpha1_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/kubechat/whatsapp-operator/internal/testenv"
)

// These tests hold the CRD schemas to what `kubectl apply --dry-run=server`
// answers on a real API server: every sample is accepted, and each rule
// rejects its bad input with a message that names the field.

var env *testenv.Env

const namespace = "support"

func TestMain(m *testing.M) {
	os.Exit(testenv.RunTests(m, func(e *testenv.Env) error {
		env = e
		return env.Client.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}})
	}))
}

// sample reads a file of config/samples as an unstructured object.
func sample(t *testing.T, file string) *unstructured.Unstructured {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "config", "samples", file))
	if err != nil {
		t.Fatal(err)
	}
	obj := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(raw, &obj.Object); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return obj
}

func dryRunCreate(obj *unstructured.Unstructured) error {
	return env.Client.Create(context.Background(), obj, client.DryRunAll)
}

func TestSamplesAreAccepted(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "config", "samples", "whatsapp_*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples found: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if err := dryRunCreate(sample(t, filepath.Base(f))); err != nil {
				t.Errorf("sample rejected: %v", err)
			}
		})
	}
}

// mutation edits a valid object into an invalid one.
type mutation func(o map[string]any)

func set(path string, v any) mutation {
	return func(o map[string]any) {
		keys := strings.Split(path, ".")
		m := o
		for _, k := range keys[:len(keys)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		m[keys[len(keys)-1]] = v
	}
}

func del(path string) mutation {
	return func(o map[string]any) {
		keys := strings.Split(path, ".")
		m := o
		for _, k := range keys[:len(keys)-1] {
			m = m[k].(map[string]any)
		}
		delete(m, keys[len(keys)-1])
	}
}

func TestInvalidObjectsAreRejected(t *testing.T) {
	cases := map[string]struct {
		reason string
		sample string
		mutate []mutation
		wantIn []string // substrings of the API server's answer
	}{
		// MetaProvider
		"provider: WABA id with letters": {
			reason: "the WABA id is digits only",
			sample: "whatsapp_v1alpha1_metaprovider.yaml",
			mutate: []mutation{set("spec.businessAccountID", "12ab")},
			wantIn: []string{"spec.businessAccountID"},
		},
		"provider: missing credentials": {
			reason: "credentialsSecretRef is required",
			sample: "whatsapp_v1alpha1_metaprovider.yaml",
			mutate: []mutation{del("spec.credentialsSecretRef")},
			wantIn: []string{"spec.credentialsSecretRef", "Required"},
		},
		"provider: sync interval too short": {
			reason: "a sync interval under a minute would burn Meta's hourly budget",
			sample: "whatsapp_v1alpha1_metaprovider.yaml",
			mutate: []mutation{set("spec.syncInterval", "10s")},
			wantIn: []string{"spec.syncInterval must be between 1m and 24h"},
		},
		"provider: sync interval not a duration": {
			reason: "syncInterval is a Go duration",
			sample: "whatsapp_v1alpha1_metaprovider.yaml",
			mutate: []mutation{set("spec.syncInterval", "ten minutes")},
			wantIn: []string{"spec.syncInterval"},
		},
		"provider: plain http public URL": {
			reason: "Meta refuses plain HTTP callbacks",
			sample: "whatsapp_v1alpha1_metaprovider.yaml",
			mutate: []mutation{set("spec.webhook.publicURL", "http://wa.example.com/webhook")},
			wantIn: []string{"spec.webhook.publicURL must be an https:// URL"},
		},
		"provider: public URL without app id": {
			reason: "the operator must find its own app among the subscribed apps",
			sample: "whatsapp_v1alpha1_metaprovider.yaml",
			mutate: []mutation{del("spec.appID")},
			wantIn: []string{"spec.appID is required when spec.webhook.publicURL is set"},
		},
		"provider: zero replicas": {
			reason: "the webhook server needs at least one replica",
			sample: "whatsapp_v1alpha1_metaprovider.yaml",
			mutate: []mutation{set("spec.webhook.replicas", int64(0))},
			wantIn: []string{"spec.webhook.replicas"},
		},
		"provider: zero relay replicas": {
			reason: "the relay needs at least one replica",
			sample: "whatsapp_v1alpha1_metaprovider.yaml",
			mutate: []mutation{set("spec.relay.replicas", int64(0))},
			wantIn: []string{"spec.relay.replicas"},
		},
		"provider: too many relay replicas": {
			reason: "each replica takes a share of the number's rate; 20 is the bound",
			sample: "whatsapp_v1alpha1_metaprovider.yaml",
			mutate: []mutation{set("spec.relay.replicas", int64(21))},
			wantIn: []string{"spec.relay.replicas"},
		},
		"provider: allowed namespace not a DNS label": {
			reason: "a NetworkPolicy selects namespaces by name",
			sample: "whatsapp_v1alpha1_metaprovider.yaml",
			mutate: []mutation{set("spec.relay.allowedNamespaces", []any{"bots", "Team_B"})},
			wantIn: []string{"spec.relay.allowedNamespaces: each entry must be a namespace name"},
		},
		"provider: allowed namespace too long": {
			reason: "namespace names are at most 63 characters",
			sample: "whatsapp_v1alpha1_metaprovider.yaml",
			mutate: []mutation{set("spec.relay.allowedNamespaces", []any{strings.Repeat("a", 64)})},
			wantIn: []string{"spec.relay.allowedNamespaces"},
		},
		"provider: allowed namespace twice": {
			reason: "the list is a set",
			sample: "whatsapp_v1alpha1_metaprovider.yaml",
			mutate: []mutation{set("spec.relay.allowedNamespaces", []any{"bots", "bots"})},
			wantIn: []string{"spec.relay.allowedNamespaces", "Duplicate value"},
		},
		"provider: name too long for its webhook Service": {
			reason: "the webhook Service is <name>-webhook, at most 63 characters",
			sample: "whatsapp_v1alpha1_metaprovider.yaml",
			mutate: []mutation{set("metadata.name", strings.Repeat("a", 56))},
			wantIn: []string{"metadata.name of a MetaProvider must be at most 55 characters"},
		},
		"provider: bad graph version": {
			reason: "versions look like v25.0",
			sample: "whatsapp_v1alpha1_metaprovider.yaml",
			mutate: []mutation{set("spec.graphAPIVersion", "25")},
			wantIn: []string{"spec.graphAPIVersion"},
		},

		// WhatsAppChannel
		"channel: number without plus": {
			reason: "E.164 with the leading +",
			sample: "whatsapp_v1alpha1_whatsappchannel.yaml",
			mutate: []mutation{set("spec.phoneNumber", "12025550123")},
			wantIn: []string{"spec.phoneNumber"},
		},
		"channel: number with formatting": {
			reason: "E.164 has no spaces or dashes",
			sample: "whatsapp_v1alpha1_whatsappchannel.yaml",
			mutate: []mutation{set("spec.phoneNumber", "+1 202-555-0123")},
			wantIn: []string{"spec.phoneNumber"},
		},
		"channel: both serviceRef and url": {
			reason: "exactly one chatbot target",
			sample: "whatsapp_v1alpha1_whatsappchannel.yaml",
			mutate: []mutation{set("spec.chatbot.url", "https://bot.example.com/")},
			wantIn: []string{"spec.chatbot: set exactly one of serviceRef or url"},
		},
		"channel: neither serviceRef nor url": {
			reason: "exactly one chatbot target",
			sample: "whatsapp_v1alpha1_whatsappchannel.yaml",
			mutate: []mutation{del("spec.chatbot.serviceRef")},
			wantIn: []string{"spec.chatbot: set exactly one of serviceRef or url"},
		},
		"channel: url not http": {
			reason: "the chatbot URL is http(s)",
			sample: "whatsapp_v1alpha1_whatsappchannel_url.yaml",
			mutate: []mutation{set("spec.chatbot.url", "ftp://bot.example.com/")},
			wantIn: []string{"spec.chatbot.url must be an http:// or https:// URL"},
		},
		"channel: path without slash": {
			reason: "paths start with /",
			sample: "whatsapp_v1alpha1_whatsappchannel.yaml",
			mutate: []mutation{set("spec.chatbot.path", "whatsapp")},
			wantIn: []string{"spec.chatbot.path"},
		},
		"channel: about too long": {
			reason: "Meta limits about to 139 characters",
			sample: "whatsapp_v1alpha1_whatsappchannel.yaml",
			mutate: []mutation{set("spec.profile.about", strings.Repeat("a", 140))},
			wantIn: []string{"spec.profile.about", "139"},
		},
		"channel: address too long": {
			reason: "Meta limits address to 256 characters",
			sample: "whatsapp_v1alpha1_whatsappchannel.yaml",
			mutate: []mutation{set("spec.profile.address", strings.Repeat("a", 257))},
			wantIn: []string{"spec.profile.address", "256"},
		},
		"channel: description too long": {
			reason: "Meta limits description to 512 characters",
			sample: "whatsapp_v1alpha1_whatsappchannel.yaml",
			mutate: []mutation{set("spec.profile.description", strings.Repeat("a", 513))},
			wantIn: []string{"spec.profile.description", "512"},
		},
		"channel: email too long": {
			reason: "Meta limits email to 128 characters",
			sample: "whatsapp_v1alpha1_whatsappchannel.yaml",
			mutate: []mutation{set("spec.profile.email", strings.Repeat("a", 120)+"@acme.example")},
			wantIn: []string{"spec.profile.email", "128"},
		},
		"channel: email not an address": {
			reason: "the email must look like one",
			sample: "whatsapp_v1alpha1_whatsappchannel.yaml",
			mutate: []mutation{set("spec.profile.email", "support")},
			wantIn: []string{"spec.profile.email"},
		},
		"channel: three websites": {
			reason: "Meta allows at most 2 websites",
			sample: "whatsapp_v1alpha1_whatsappchannel.yaml",
			mutate: []mutation{set("spec.profile.websites", []any{"https://a.example", "https://b.example", "https://c.example"})},
			wantIn: []string{"spec.profile.websites", "2"},
		},
		"channel: website too long": {
			reason: "Meta limits each website to 256 characters",
			sample: "whatsapp_v1alpha1_whatsappchannel.yaml",
			mutate: []mutation{set("spec.profile.websites", []any{"https://" + strings.Repeat("a", 250) + ".example"})},
			wantIn: []string{"spec.profile.websites[0]", "256"},
		},
		"channel: website not http": {
			reason: "websites start with http:// or https://",
			sample: "whatsapp_v1alpha1_whatsappchannel.yaml",
			mutate: []mutation{set("spec.profile.websites", []any{"acme.example"})},
			wantIn: []string{"spec.profile.websites[0]"},
		},
		"channel: unknown vertical": {
			reason: "vertical comes from Meta's list",
			sample: "whatsapp_v1alpha1_whatsappchannel.yaml",
			mutate: []mutation{set("spec.profile.vertical", "BAKERY")},
			wantIn: []string{"spec.profile.vertical", "PROF_SERVICES"},
		},

		// MessageTemplate
		"template: uppercase name": {
			reason: "names are ^[a-z0-9_]{1,512}$",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.name", "Order_Update")},
			wantIn: []string{"spec.name"},
		},
		"template: name defaulted from a dotted metadata.name": {
			reason: "the default name must itself be valid",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{del("spec.name"), set("metadata.name", "order.update")},
			wantIn: []string{"spec.name is required when metadata.name"},
		},
		"template: unknown category": {
			reason: "category is UTILITY, MARKETING or AUTHENTICATION",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.category", "SERVICE")},
			wantIn: []string{"spec.category", "UTILITY"},
		},
		"template: unknown deletion policy": {
			reason: "deletionPolicy is Delete or Orphan",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.deletionPolicy", "Retain")},
			wantIn: []string{"spec.deletionPolicy", "Orphan"},
		},
		"template: skipped variable": {
			reason: "variables are {{1}}..{{n}} in sequence",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.body.text", "Hi {{1}}, your order {{3}} has shipped.")},
			wantIn: []string{"spec.body", "{{1}} to {{n}} in sequence"},
		},
		"template: repeated variable": {
			reason: "each variable once, one example each",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.body.text", "Hi {{1}}, your order {{1}} has shipped.")},
			wantIn: []string{"spec.body", "{{1}} to {{n}} in sequence"},
		},
		"template: missing example": {
			reason: "one example per variable",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.body.examples", []any{"John"})},
			wantIn: []string{"spec.body", "exactly one entry in spec.body.examples per variable"},
		},
		"template: extra example": {
			reason: "one example per variable, no more",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.body.examples", []any{"John", "#4521", "extra"})},
			wantIn: []string{"spec.body", "exactly one entry in spec.body.examples per variable"},
		},
		"template: named variable in positional template": {
			reason: "POSITIONAL variables are numbers",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.body.text", "Hi {{name}}, your order {{1}} has shipped."), set("spec.body.examples", []any{"#4521"})},
			wantIn: []string{"spec.body.text", "with parameterFormat POSITIONAL every variable is a number"},
		},
		"template: positional variable in named template": {
			reason: "NAMED and positional are never mixed",
			sample: "whatsapp_v1alpha1_messagetemplate_named.yaml",
			mutate: []mutation{set("spec.body.text", "Reply {{1}} to {{bot_message}}.")},
			wantIn: []string{"spec.body.text", "with parameterFormat NAMED every variable is a lower_snake_case name"},
		},
		"template: named variable without example": {
			reason: "each named variable has one example",
			sample: "whatsapp_v1alpha1_messagetemplate_named.yaml",
			mutate: []mutation{set("spec.body.text", "Hi {{first_name}}, a reply: {{bot_message}}.")},
			wantIn: []string{"spec.body", "every variable needs exactly one entry in spec.body.namedExamples"},
		},
		"template: named example not used": {
			reason: "an example for a variable that is not in the text is a mistake",
			sample: "whatsapp_v1alpha1_messagetemplate_named.yaml",
			mutate: []mutation{set("spec.body.namedExamples", []any{
				map[string]any{"name": "bot_message", "example": "hi"},
				map[string]any{"name": "unused", "example": "x"},
			})},
			wantIn: []string{"spec.body", "every entry of spec.body.namedExamples must be used in spec.body.text"},
		},
		"template: positional examples in named template": {
			reason: "NAMED uses namedExamples",
			sample: "whatsapp_v1alpha1_messagetemplate_named.yaml",
			mutate: []mutation{set("spec.body.examples", []any{"x"})},
			wantIn: []string{"spec.body", "never mixed"},
		},
		"template: duplicate named example": {
			reason: "one example per name",
			sample: "whatsapp_v1alpha1_messagetemplate_named.yaml",
			mutate: []mutation{set("spec.body.namedExamples", []any{
				map[string]any{"name": "bot_message", "example": "hi"},
				map[string]any{"name": "bot_message", "example": "again"},
			})},
			wantIn: []string{"spec.body.namedExamples[1]", "Duplicate value"},
		},
		"template: body starts with variable": {
			reason: "Meta rejects a body that starts with a variable",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.body.text", "{{1}}, your order {{2}} has shipped.")},
			wantIn: []string{"spec.body.text cannot start with a variable"},
		},
		"template: body ends with variable": {
			reason: "Meta rejects a body that ends with a variable",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.body.text", "Hi {{1}}, your order is {{2}}")},
			wantIn: []string{"spec.body.text cannot end with a variable"},
		},
		"template: body too long": {
			reason: "Meta limits the body to 1024 characters",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.body.text", "Hi {{1}} "+strings.Repeat("a", 1020)+" {{2}}.")},
			wantIn: []string{"spec.body.text", "1024"},
		},
		"template: header too long": {
			reason: "Meta limits header text to 60 characters",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.header.text", "Order {{1}} "+strings.Repeat("a", 60))},
			wantIn: []string{"spec.header.text", "60"},
		},
		"template: header with two variables": {
			reason: "a header has at most one variable",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.header.text", "Order {{1}} {{2}}")},
			wantIn: []string{"spec.header", "at most one variable"},
		},
		"template: header variable without example": {
			reason: "the header variable needs its example",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{del("spec.header.examples")},
			wantIn: []string{"spec.header", "exactly one entry in spec.header.examples"},
		},
		"template: image header without sample": {
			reason: "media headers need a sample for the reviewers",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.header", map[string]any{"format": "IMAGE"})},
			wantIn: []string{"spec.header.exampleURL", "required for IMAGE"},
		},
		"template: footer too long": {
			reason: "Meta limits the footer to 60 characters",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.footer.text", strings.Repeat("a", 61))},
			wantIn: []string{"spec.footer.text", "60"},
		},
		"template: footer with variable": {
			reason: "footers have no variables",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.footer.text", "Bye {{1}}")},
			wantIn: []string{"spec.footer.text cannot contain variables"},
		},
		"template: four quick replies": {
			reason: "at most 3 quick replies",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.buttons", []any{
				map[string]any{"type": "QUICK_REPLY", "text": "a"},
				map[string]any{"type": "QUICK_REPLY", "text": "b"},
				map[string]any{"type": "QUICK_REPLY", "text": "c"},
				map[string]any{"type": "QUICK_REPLY", "text": "d"},
			})},
			wantIn: []string{"spec.buttons", "at most 3 QUICK_REPLY buttons"},
		},
		"template: long quick reply": {
			reason: "quick replies are at most 20 characters",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.buttons", []any{map[string]any{"type": "QUICK_REPLY", "text": strings.Repeat("a", 21)}})},
			wantIn: []string{"spec.buttons[0]", "at most 20 characters"},
		},
		"template: two URL buttons": {
			reason: "at most one URL button",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.buttons", []any{
				map[string]any{"type": "URL", "text": "a", "url": "https://a.example"},
				map[string]any{"type": "URL", "text": "b", "url": "https://b.example"},
			})},
			wantIn: []string{"spec.buttons", "at most one URL button"},
		},
		"template: two phone buttons": {
			reason: "at most one phone button",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.buttons", []any{
				map[string]any{"type": "PHONE_NUMBER", "text": "a", "phoneNumber": "+12025550123"},
				map[string]any{"type": "PHONE_NUMBER", "text": "b", "phoneNumber": "+12025550124"},
			})},
			wantIn: []string{"spec.buttons", "at most one PHONE_NUMBER button"},
		},
		"template: URL button without url": {
			reason: "a URL button needs its url",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.buttons", []any{map[string]any{"type": "URL", "text": "a"}})},
			wantIn: []string{"spec.buttons[0]", "url is required for a URL button"},
		},
		"template: URL variable without example": {
			reason: "Meta's reviewers need the filled-in URL",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.buttons", []any{map[string]any{"type": "URL", "text": "a", "url": "https://a.example/{{1}}"}})},
			wantIn: []string{"spec.buttons[0]", "example is required when the URL has a {{1}} variable"},
		},
		"template: URL variable not at the end": {
			reason: "the URL variable must be at its end",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.buttons", []any{map[string]any{"type": "URL", "text": "a", "url": "https://a.example/{{1}}/x", "example": "https://a.example/1/x"}})},
			wantIn: []string{"spec.buttons[0].url", "at its end"},
		},
		"template: phone button with bad number": {
			reason: "phone buttons carry E.164 numbers",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.buttons", []any{map[string]any{"type": "PHONE_NUMBER", "text": "a", "phoneNumber": "call me"}})},
			wantIn: []string{"spec.buttons[0].phoneNumber"},
		},
		"template: body ends with variable and punctuation": {
			reason: "Meta counts a variable followed only by punctuation as the end of the body",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.body.text", "Hi {{1}}, thanks for your order, it ships as {{2}}.")},
			wantIn: []string{"spec.body.text cannot end with a variable, even followed by punctuation"},
		},
		"template: adjacent variables": {
			reason: "Meta rejects variables with nothing but space between them",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.body.text", "Hi {{1}} {{2}}, your order has shipped today.")},
			wantIn: []string{"spec.body.text has two variables next to each other"},
		},
		"template: too many variables for the length": {
			reason: "Meta rejects a body with fewer than 3 words per variable plus one",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.body.text", "Hi {{1}}, order {{2}} shipped.")},
			wantIn: []string{"spec.body.text has too many variables for its length"},
		},
		"template: copy code outside marketing": {
			reason: "a copy-code offer button is for MARKETING templates",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.buttons", []any{map[string]any{"type": "COPY_CODE", "example": "SPRING25"}})},
			wantIn: []string{"spec.buttons", "COPY_CODE button (an offer code) is for MARKETING templates only"},
		},
		"template: copy code without sample": {
			reason: "Meta's reviewers need a sample code",
			sample: "whatsapp_v1alpha1_messagetemplate_offer.yaml",
			mutate: []mutation{set("spec.buttons", []any{map[string]any{"type": "COPY_CODE"}})},
			wantIn: []string{"spec.buttons[0]", "sample offer code", "1 to 15 characters"},
		},
		"template: copy code sample too long": {
			reason: "the sample code is at most 15 characters",
			sample: "whatsapp_v1alpha1_messagetemplate_offer.yaml",
			mutate: []mutation{set("spec.buttons", []any{map[string]any{"type": "COPY_CODE", "example": "SPRING25-EXTRA-LONG"}})},
			wantIn: []string{"spec.buttons[0]", "1 to 15 characters"},
		},
		"template: copy code with a label": {
			reason: "Meta labels the copy-code button itself",
			sample: "whatsapp_v1alpha1_messagetemplate_offer.yaml",
			mutate: []mutation{set("spec.buttons", []any{map[string]any{"type": "COPY_CODE", "text": "Copy", "example": "SPRING25"}})},
			wantIn: []string{"spec.buttons[0]", "except on a COPY_CODE button"},
		},
		"template: two copy code buttons": {
			reason: "at most one copy-code button",
			sample: "whatsapp_v1alpha1_messagetemplate_offer.yaml",
			mutate: []mutation{set("spec.buttons", []any{
				map[string]any{"type": "COPY_CODE", "example": "SPRING25"},
				map[string]any{"type": "COPY_CODE", "example": "SUMMER25"},
			})},
			wantIn: []string{"spec.buttons", "at most one COPY_CODE button"},
		},
		"template: authentication with free text": {
			reason: "Meta writes an authentication template's text: no body",
			sample: "whatsapp_v1alpha1_messagetemplate_authentication.yaml",
			mutate: []mutation{set("spec.body", map[string]any{"text": "Your code is {{1}} for today only"})},
			wantIn: []string{"spec.authentication", "spec.authentication alone", "no body"},
		},
		"template: authentication without its block": {
			reason: "an AUTHENTICATION template needs spec.authentication",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.category", "AUTHENTICATION")},
			wantIn: []string{"spec.authentication", "spec.authentication alone"},
		},
		"template: authentication block in a utility template": {
			reason: "spec.authentication belongs to AUTHENTICATION templates only",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.authentication", map[string]any{"otp": map[string]any{"type": "COPY_CODE"}})},
			wantIn: []string{"spec.body", "spec.authentication is for category AUTHENTICATION only"},
		},
		"template: one tap without apps": {
			reason: "a ONE_TAP button names the Android apps that receive the code",
			sample: "whatsapp_v1alpha1_messagetemplate_authentication.yaml",
			mutate: []mutation{del("spec.authentication.otp.supportedApps")},
			wantIn: []string{"spec.authentication.otp.supportedApps", "needs supportedApps"},
		},
		"template: copy code with apps": {
			reason: "a COPY_CODE button names no apps",
			sample: "whatsapp_v1alpha1_messagetemplate_authentication.yaml",
			mutate: []mutation{set("spec.authentication.otp.type", "COPY_CODE")},
			wantIn: []string{"spec.authentication.otp.supportedApps", "COPY_CODE button has no supportedApps"},
		},
		"template: zero tap without its terms": {
			reason: "Meta asks for its zero-tap terms to be accepted",
			sample: "whatsapp_v1alpha1_messagetemplate_authentication.yaml",
			mutate: []mutation{set("spec.authentication.otp.type", "ZERO_TAP")},
			wantIn: []string{"spec.authentication.otp.zeroTapTermsAccepted", "must be true for a ZERO_TAP button"},
		},
		"template: bad signature hash": {
			reason: "an app signing key hash is 11 characters",
			sample: "whatsapp_v1alpha1_messagetemplate_authentication.yaml",
			mutate: []mutation{set("spec.authentication.otp.supportedApps", []any{map[string]any{"packageName": "com.acme.shop", "signatureHash": "short"}})},
			wantIn: []string{"spec.authentication.otp.supportedApps[0].signatureHash"},
		},
		"template: bad package name": {
			reason: "an Android package name has two segments or more",
			sample: "whatsapp_v1alpha1_messagetemplate_authentication.yaml",
			mutate: []mutation{set("spec.authentication.otp.supportedApps", []any{map[string]any{"packageName": "shop", "signatureHash": "K8a/AINcGX7"}})},
			wantIn: []string{"spec.authentication.otp.supportedApps[0].packageName"},
		},
		"template: code expiry too long": {
			reason: "Meta allows 1 to 90 minutes",
			sample: "whatsapp_v1alpha1_messagetemplate_authentication.yaml",
			mutate: []mutation{set("spec.authentication.codeExpirationMinutes", 91)},
			wantIn: []string{"spec.authentication.codeExpirationMinutes"},
		},
		"template: unknown language code": {
			reason: "language codes look like en or en_US",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: []mutation{set("spec.language", "English")},
			wantIn: []string{"spec.language"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			obj := sample(t, tc.sample)
			for _, m := range tc.mutate {
				m(obj.Object)
			}
			err := dryRunCreate(obj)
			if err == nil {
				t.Fatalf("accepted; want rejection (%s)", tc.reason)
			}
			if !apierrors.IsInvalid(err) {
				t.Fatalf("want an Invalid error (%s), got %v", tc.reason, err)
			}
			for _, want := range tc.wantIn {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not mention %q (%s):\n%v", want, tc.reason, err)
				}
			}
		})
	}
}

func TestImmutableFields(t *testing.T) {
	cases := map[string]struct {
		reason string
		sample string
		mutate mutation
		wantIn string
	}{
		"channel phone number": {
			reason: "the number is the channel's identity",
			sample: "whatsapp_v1alpha1_whatsappchannel.yaml",
			mutate: set("spec.phoneNumber", "+12025550199"),
			wantIn: "spec.phoneNumber is immutable",
		},
		"provider WABA": {
			reason: "channels and templates live in the WABA",
			sample: "whatsapp_v1alpha1_metaprovider.yaml",
			mutate: set("spec.businessAccountID", "999"),
			wantIn: "spec.businessAccountID is immutable",
		},
		"provider app": {
			reason: "the subscription belongs to the app",
			sample: "whatsapp_v1alpha1_metaprovider.yaml",
			mutate: set("spec.appID", "999"),
			wantIn: "spec.appID cannot change once set",
		},
		"template name": {
			reason: "Meta cannot rename a template",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: set("spec.name", "order_update_v2"),
			wantIn: "spec.name is immutable",
		},
		"template name removed": {
			reason: "dropping spec.name would change the template's name",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: del("spec.name"),
			wantIn: "spec.name is immutable",
		},
		"template language": {
			reason: "a language is a separate template at Meta",
			sample: "whatsapp_v1alpha1_messagetemplate.yaml",
			mutate: set("spec.language", "en_GB"),
			wantIn: "spec.language is immutable",
		},
		"template parameter format": {
			reason: "Meta fixes the format at creation",
			sample: "whatsapp_v1alpha1_messagetemplate_named.yaml",
			mutate: set("spec.parameterFormat", "POSITIONAL"),
			wantIn: "spec.parameterFormat is immutable",
		},
	}
	ctx := context.Background()
	i := 0
	for name, tc := range cases {
		i++
		t.Run(name, func(t *testing.T) {
			obj := sample(t, tc.sample)
			obj.SetName(fmt.Sprintf("%s-immutable-%d", obj.GetName(), i))
			if err := env.Client.Create(ctx, obj); err != nil {
				t.Fatalf("create: %v", err)
			}
			t.Cleanup(func() { _ = env.Client.Delete(ctx, obj) })
			tc.mutate(obj.Object)
			err := env.Client.Update(ctx, obj)
			if err == nil || !strings.Contains(err.Error(), tc.wantIn) {
				t.Fatalf("update: want error containing %q (%s), got %v", tc.wantIn, tc.reason, err)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	ctx := context.Background()
	cases := map[string]struct {
		reason string
		yaml   string
		want   map[string]any // dotted path → defaulted value
	}{
		"provider": {
			reason: "templateLanguage en and syncInterval 10m when unset; replicas 1 in a webhook and a relay block",
			yaml: `apiVersion: whatsapp.kubechat.io/v1alpha1
kind: MetaProvider
metadata: {name: defaults, namespace: support}
spec:
  businessAccountID: "1"
  credentialsSecretRef: {name: s}
  webhook: {}
  relay: {}
`,
			want: map[string]any{"spec.templateLanguage": "en", "spec.syncInterval": "10m", "spec.webhook.replicas": int64(1), "spec.relay.replicas": int64(1)},
		},
		"channel": {
			reason: "path / when unset",
			yaml: `apiVersion: whatsapp.kubechat.io/v1alpha1
kind: WhatsAppChannel
metadata: {name: defaults, namespace: support}
spec:
  providerRef: {name: acme}
  phoneNumber: "+12025550123"
  chatbot: {serviceRef: {name: bot, port: http}}
`,
			want: map[string]any{"spec.chatbot.path": "/"},
		},
		"template": {
			reason: "POSITIONAL and Delete when unset",
			yaml: `apiVersion: whatsapp.kubechat.io/v1alpha1
kind: MessageTemplate
metadata: {name: defaults, namespace: support}
spec:
  providerRef: {name: acme}
  language: en
  category: UTILITY
  body: {text: "Hello there."}
`,
			want: map[string]any{"spec.parameterFormat": "POSITIONAL", "spec.deletionPolicy": "Delete"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			obj := &unstructured.Unstructured{}
			if err := yaml.Unmarshal([]byte(tc.yaml), &obj.Object); err != nil {
				t.Fatal(err)
			}
			if err := env.Client.Create(ctx, obj, client.DryRunAll); err != nil {
				t.Fatalf("create: %v", err)
			}
			for path, want := range tc.want {
				got, found, err := unstructured.NestedFieldNoCopy(obj.Object, strings.Split(path, ".")...)
				if err != nil || !found || got != want {
					t.Errorf("%s = %v (found %v); want %v (%s)", path, got, found, want, tc.reason)
				}
			}
		})
	}
}

func TestKubectlExplainIsUseful(t *testing.T) {
	cases := map[string]struct {
		reason string
		field  string
		wantIn []string
	}{
		"chatbot": {
			reason: "on-call engineers read kubectl explain to write a channel",
			field:  "whatsappchannel.spec.chatbot",
			wantIn: []string{"set exactly one of serviceRef", "or url", "ready endpoints", "path"},
		},
		"provider credentials": {
			reason: "the Secret keys are documented where the field is",
			field:  "metaprovider.spec.credentialsSecretRef",
			wantIn: []string{"accessToken", "appSecret", "verifyToken"},
		},
		"template status": {
			reason: "approval status is explained",
			field:  "messagetemplate.status.approvalStatus",
			wantIn: []string{"PENDING", "APPROVED", "REJECTED"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			out, err := env.Kubectl("explain", tc.field)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range tc.wantIn {
				if !strings.Contains(out, want) {
					t.Errorf("kubectl explain %s lacks %q (%s):\n%s", tc.field, want, tc.reason, out)
				}
			}
		})
	}
}

func TestCategoryListsAllKinds(t *testing.T) {
	ctx := context.Background()
	for _, f := range []string{"whatsapp_v1alpha1_metaprovider.yaml", "whatsapp_v1alpha1_whatsappchannel.yaml", "whatsapp_v1alpha1_messagetemplate.yaml"} {
		obj := sample(t, f)
		obj.SetName("category-" + strings.ReplaceAll(strings.TrimSuffix(f, ".yaml"), "_", "-"))
		if err := env.Client.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = env.Client.Delete(ctx, obj) })
	}
	out, err := env.Kubectl("get", "whatsapp", "-n", namespace, "-o", "name")
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"metaprovider", "whatsappchannel", "messagetemplate"} {
		if !strings.Contains(out, kind+".whatsapp.kubechat.io/category-") {
			t.Errorf("kubectl get whatsapp does not list a %s:\n%s", kind, out)
		}
	}
	for _, short := range []string{"mp", "wac", "mt"} {
		if _, err := env.Kubectl("get", short, "-n", namespace); err != nil {
			t.Errorf("short name %s: %v", short, err)
		}
	}
}

// TestReadmeExamplesAreAccepted keeps the README true: every YAML example
// in it is accepted by the API server as written.
func TestReadmeExamplesAreAccepted(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(raw), "```yaml\n")[1:]
	if len(blocks) < 3 {
		t.Fatalf("found %d YAML examples in README.md, want one per kind at least", len(blocks))
	}
	kinds := map[string]bool{}
	for i, block := range blocks {
		block = block[:strings.Index(block, "```")]
		for j, doc := range strings.Split(block, "\n---\n") {
			obj := &unstructured.Unstructured{}
			if err := yaml.Unmarshal([]byte(doc), &obj.Object); err != nil {
				t.Fatalf("README example %d.%d is not YAML: %v", i, j, err)
			}
			kinds[obj.GetKind()] = true
			if err := dryRunCreate(obj); err != nil {
				t.Errorf("README example %d.%d (%s %s) is rejected: %v", i, j, obj.GetKind(), obj.GetName(), err)
			}
		}
	}
	for _, k := range []string{"MetaProvider", "WhatsAppChannel", "MessageTemplate"} {
		if !kinds[k] {
			t.Errorf("README has no %s example", k)
		}
	}
}
