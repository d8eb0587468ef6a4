package controllers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
	"github.com/kubechat/whatsapp-operator/internal/relayresources"
)

// TestProviderRunsItsRelay: the provider gets its relay objects, reports
// their readiness in RelayReady and status.relay, and is Ready only once
// the relay is.
func TestProviderRunsItsRelay(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.secret("acme-meta")
	p := f.provider("acme", func(p *whatsappv1alpha1.MetaProvider) {
		two := int32(2)
		p.Spec.Relay = &whatsappv1alpha1.ProviderRelay{Replicas: &two, AllowedNamespaces: []string{"bots"}}
	})
	f.markDeploymentReady("acme-webhook")
	f.waitCondition(p, "Ready", metav1.ConditionFalse, whatsappv1alpha1.ReasonWaitingForRelay)
	if c := condition(p, "RelayReady"); c == nil || c.Status != metav1.ConditionFalse || !strings.Contains(c.Message, "0/2 replicas ready") {
		t.Errorf("RelayReady says how many relay replicas are ready: %+v", c)
	}

	for _, obj := range relayresources.Desired(p, relayresources.Options{Image: "x", GraphAPIURL: "x"}) {
		got := obj.DeepCopyObject().(client.Object)
		if err := f.c.Get(context.Background(), client.ObjectKeyFromObject(obj), got); err != nil {
			t.Errorf("%T %s not created: %v", obj, obj.GetName(), err)
			continue
		}
		if refs := got.GetOwnerReferences(); len(refs) != 1 || refs[0].UID != p.UID {
			t.Errorf("%T %s owner references = %+v, want the provider", obj, obj.GetName(), refs)
		}
	}
	d := &appsv1.Deployment{}
	f.eventually("relay Deployment", func() bool {
		return f.c.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: "acme-relay"}, d) == nil
	})
	if args := strings.Join(d.Spec.Template.Spec.Containers[0].Args, " "); !strings.HasPrefix(args, "relay --provider-namespace "+f.ns+" --provider-name acme") ||
		!strings.Contains(args, "--graph-api-url "+f.simURL) {
		t.Errorf("the relay runs as `relay` for this provider against the operator's Graph API: %q", args)
	}
	if img := d.Spec.Template.Spec.Containers[0].Image; img != "whatsapp-operator:test" {
		t.Errorf("without a relay image of its own the relay runs the webhook image, the same binary: %q", img)
	}

	f.markDeploymentReady("acme-relay")
	f.waitCondition(p, "Ready", metav1.ConditionTrue, "")
	if p.Status.Relay == nil || p.Status.Relay.ServiceName != "acme-relay" || p.Status.Relay.ReadyReplicas != 1 {
		t.Errorf("status.relay = %+v, want serviceName acme-relay and 1 ready replica", p.Status.Relay)
	}
}

// TestProviderWritesWebhookSecrets: the webhook server's Secret follows the
// credentials Secret at once, without the token; the forwarding key stays.
func TestProviderWritesWebhookSecrets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, fixtureOptions{})
	p := f.readyProvider("acme")
	hook := &corev1.Secret{}
	read := func(name string, s *corev1.Secret) {
		t.Helper()
		if err := f.c.Get(ctx, client.ObjectKey{Namespace: f.ns, Name: name}, s); err != nil {
			t.Fatalf("Secret %s: %v", name, err)
		}
	}
	read("acme-webhook", hook)
	if _, ok := hook.Data["accessToken"]; ok || string(hook.Data["appSecret"]) != appSecret || string(hook.Data["verifyToken"]) != f.verify {
		t.Fatalf("the webhook Secret holds the app secret and verify token, never the token: keys %d, accessToken present %v", len(hook.Data), ok)
	}
	key := string(hook.Data["forwardingKey"])
	fwd := &corev1.Secret{}
	read("acme-forwarding", fwd)
	if len(key) != 64 || string(fwd.Data["forwardingKey"]) != key {
		t.Fatal("both Secrets hold the same generated forwarding key")
	}

	creds := &corev1.Secret{}
	read("acme-meta", creds)
	creds.Data["verifyToken"] = []byte("verify-rotated")
	if err := f.c.Update(ctx, creds); err != nil {
		t.Fatal(err)
	}
	f.eventually("the rotated verify token reaches the webhook Secret", func() bool {
		read("acme-webhook", hook)
		return string(hook.Data["verifyToken"]) == "verify-rotated"
	})
	if string(hook.Data["forwardingKey"]) != key {
		t.Error("a credentials rotation must not change the forwarding key")
	}

	if err := f.c.Delete(ctx, hook); err != nil {
		t.Fatal(err)
	}
	f.eventually("a deleted webhook Secret is written again", func() bool {
		return f.c.Get(ctx, client.ObjectKeyFromObject(hook), &corev1.Secret{}) == nil
	})
	f.waitCondition(p, "Ready", metav1.ConditionTrue, "")
}

// TestProviderRefusesForeignObjects: an object of a managed name that the
// provider does not control stops it with a Conflict naming the object, a
// Warning Event, and the object untouched.
func TestProviderRefusesForeignObjects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, fixtureOptions{})
	theirs := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "acme-relay", Namespace: f.ns, Labels: map[string]string{"team": "payments"}},
		Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "http", Port: 8000}}},
	}
	f.create(theirs)
	rv := theirs.ResourceVersion
	f.secret("acme-meta")
	p := f.provider("acme")
	f.waitCondition(p, "Stalled", metav1.ConditionTrue, whatsappv1alpha1.ReasonConflict)
	c := condition(p, "RelayReady")
	if c == nil || c.Reason != whatsappv1alpha1.ReasonConflict || !strings.Contains(c.Message, "Service "+f.ns+"/acme-relay") || !strings.Contains(c.Message, "delete or rename it") {
		t.Errorf("RelayReady names the object in the way and what to do: %+v", c)
	}
	if e := f.waitEvent("acme", whatsappv1alpha1.ReasonConflict); e.Type != corev1.EventTypeWarning || !strings.Contains(e.Note, "acme-relay") {
		t.Errorf("a Warning Event names the object: %s %q", e.Type, e.Note)
	}
	got := &corev1.Service{}
	if err := f.c.Get(ctx, client.ObjectKeyFromObject(theirs), got); err != nil {
		t.Fatal(err)
	}
	if got.ResourceVersion != rv || len(got.OwnerReferences) != 0 {
		t.Errorf("the user's Service was changed: resourceVersion %s -> %s, owners %+v", rv, got.ResourceVersion, got.OwnerReferences)
	}
}

// TestProviderShowsFallbackTemplate: a provider whose relay cannot fall
// back to new_bot_message stays Ready (the template can only be submitted
// once it is) and says so in RelayReady, with a Warning Event; the
// approved template clears it.
func TestProviderShowsFallbackTemplate(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{review: graphsim.Review{Status: "APPROVED"}, reviewDelay: 100 * time.Millisecond})
	p := f.readyProvider("acme")
	f.waitCondition(p, "RelayReady", metav1.ConditionTrue, whatsappv1alpha1.ReasonFallbackTemplateUnavailable)
	if c := condition(p, "RelayReady"); !strings.Contains(c.Message, `MessageTemplate "new_bot_message" in language "en"`) || !strings.Contains(c.Message, "131047") {
		t.Errorf("RelayReady names the missing template, its language and what fails: %q", c.Message)
	}
	if c := condition(p, "Ready"); c.Status != metav1.ConditionTrue || !strings.Contains(c.Message, "new_bot_message") {
		t.Errorf("Ready stays True and mentions the template: %+v", c)
	}
	if e := f.waitEvent("acme", whatsappv1alpha1.ReasonFallbackTemplateUnavailable); e.Type != corev1.EventTypeWarning {
		t.Errorf("Event type %s, want Warning", e.Type)
	}

	f.template("new-bot-message", func(mt *whatsappv1alpha1.MessageTemplate) {
		mt.Spec.Language = "en"
		mt.Spec.ParameterFormat = whatsappv1alpha1.ParameterFormatNamed
		mt.Spec.Body = whatsappv1alpha1.TemplateBody{
			Text:          "You have a new reply: {{bot_message}}. Tap reply to answer.",
			NamedExamples: []whatsappv1alpha1.NamedExample{{Name: "bot_message", Example: "Your order shipped."}},
		}
	})
	f.waitCondition(p, "RelayReady", metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded)
	// One Event per problem (missing, then perhaps in review), never one
	// per reconcile.
	notes := map[string]int{}
	for _, e := range f.events("acme") {
		if e.Reason == whatsappv1alpha1.ReasonFallbackTemplateUnavailable {
			notes[e.Note]++
		}
	}
	for note, n := range notes {
		if n > 1 {
			t.Errorf("the same FallbackTemplateUnavailable Event %d times (Events on transitions only): %q", n, note)
		}
	}
}
