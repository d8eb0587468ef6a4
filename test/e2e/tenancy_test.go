package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
	"github.com/kubechat/whatsapp-operator/internal/relayresources"
	"github.com/kubechat/whatsapp-operator/internal/webhookresources"
)

// Anyone who may create a WhatsAppChannel somewhere in the cluster can
// create one for a business's public number. Under a provider that does
// not exist, or one that is not Ready, such a channel proves nothing about
// the number and must not keep the business's own channel (created later,
// as GitOps re-creates channels routinely) from the number: the business's
// channel becomes Ready and its chatbot gets its messages.
func TestASquatterInAnotherNamespaceCannotSilenceANumber(t *testing.T) {
	t.Parallel()
	attacker := fmt.Sprintf("squatter-%d", rand.Uint64()%1_000_000_000)
	s := newStack(t, Options{OtherNamespaces: []string{attacker}})

	// The squatter goes first: one channel under a provider that does not
	// exist, one under a provider whose Secret does not exist.
	ghost := s.otherChannel(attacker, "ghost", "no-such-provider", "https://squatter.example/steal")
	s.createIn(attacker, &whatsappv1alpha1.MetaProvider{
		ObjectMeta: metav1.ObjectMeta{Name: "stuck"},
		Spec: whatsappv1alpha1.MetaProviderSpec{
			BusinessAccountID:    WABAID,
			CredentialsSecretRef: whatsappv1alpha1.SecretReference{Name: "no-such-secret"},
		},
	})
	stuck := s.otherChannel(attacker, "stuck", "stuck", "https://squatter.example/steal")
	s.must(s.WaitCondition(s.ctx, ghost, whatsappv1alpha1.ConditionReady, metav1.ConditionFalse, whatsappv1alpha1.ReasonProviderNotFound, settle))
	s.must(s.WaitCondition(s.ctx, stuck, whatsappv1alpha1.ConditionReady, metav1.ConditionFalse, whatsappv1alpha1.ReasonProviderNotReady, settle))
	s.waitUntilOlder(ghost, stuck)

	// The business's channel, created later, gets the number and routes it.
	bot := NewChatbot(nil)
	t.Cleanup(bot.Close)
	s.readyProvider()
	s.readyChannel("support-us", bot.URL)
	payload := graphsim.TextMessageWebhook(InboundFrom("4915112345678", "Jana"), "Is my order on its way?")
	s.deliverExpect(AppSecret, payload, http.StatusOK)
	s.expectForwarded(bot, 1, "after a message to the business's number")
	if got := bot.Received()[0].Channel(); got != s.Namespace+"/support-us" {
		t.Errorf("the message went to channel %q", got)
	}
	for _, ch := range []*whatsappv1alpha1.WhatsAppChannel{ghost, stuck} {
		s.must(s.Client.Get(s.ctx, client.ObjectKeyFromObject(ch), ch))
		if ch.Status.PhoneNumberID != "" {
			t.Errorf("squatting channel %s shows the number's id %s", ch.Name, ch.Status.PhoneNumberID)
		}
	}
}

// A channel verified against the same WABA in another namespace (a second
// team sharing the WhatsApp Business Account) does hold the number against
// a later one. The later channel is told so without learning the other
// namespace's objects, and while it waits, Meta's webhooks for the number
// get 503 from its webhook server (Meta retries them) instead of 200 and
// silence; once the holder is gone, the retry reaches its chatbot.
func TestANumberHeldElsewhereIsRetriedNotDropped(t *testing.T) {
	t.Parallel()
	other := fmt.Sprintf("other-team-%d", rand.Uint64()%1_000_000_000)
	s := newStack(t, Options{OtherNamespaces: []string{other}})

	s.createIn(other, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "shared-meta"},
		StringData: map[string]string{
			whatsappv1alpha1.SecretKeyAccessToken: AccessToken,
			whatsappv1alpha1.SecretKeyAppSecret:   AppSecret,
			whatsappv1alpha1.SecretKeyVerifyToken: VerifyToken,
		},
	})
	shared := &whatsappv1alpha1.MetaProvider{
		ObjectMeta: metav1.ObjectMeta{Name: "shared"},
		Spec: whatsappv1alpha1.MetaProviderSpec{
			BusinessAccountID:    WABAID,
			AppID:                AppID,
			CredentialsSecretRef: whatsappv1alpha1.SecretReference{Name: "shared-meta"},
		},
	}
	s.createIn(other, shared)
	s.markWorkloadsReadyIn(other, "shared")
	s.must(s.WaitCondition(s.ctx, shared, whatsappv1alpha1.ConditionReady, metav1.ConditionTrue, "", settle))
	holder := s.otherChannel(other, "first", "shared", "https://other-team.example/bot")
	s.must(s.WaitCondition(s.ctx, holder, whatsappv1alpha1.ConditionReady, metav1.ConditionTrue, "", settle))
	s.waitUntilOlder(holder)

	bot := NewChatbot(nil)
	t.Cleanup(bot.Close)
	s.readyProvider()
	ch := &whatsappv1alpha1.WhatsAppChannel{
		ObjectMeta: metav1.ObjectMeta{Name: "support-us"},
		Spec: whatsappv1alpha1.WhatsAppChannelSpec{
			ProviderRef: whatsappv1alpha1.ProviderReference{Name: provider},
			PhoneNumber: PhoneNumber,
			Chatbot:     whatsappv1alpha1.ChatbotTarget{URL: bot.URL},
		},
	}
	s.create(ch)
	s.must(s.WaitCondition(s.ctx, ch, whatsappv1alpha1.ConditionStalled, metav1.ConditionTrue, whatsappv1alpha1.ReasonConflict, settle))
	texts := []string{}
	for _, c := range ch.Status.Conditions {
		texts = append(texts, c.Message)
	}
	var events eventsv1.EventList
	s.must(s.Client.List(s.ctx, &events, client.InNamespace(s.Namespace)))
	for _, e := range events.Items {
		texts = append(texts, e.Note)
	}
	for _, text := range texts {
		if strings.Contains(text, other) || strings.Contains(text, "first") || strings.Contains(text, "other-team") {
			t.Errorf("a message names objects of another namespace: %q", text)
		}
	}
	if msg := conditionMessage(ch, whatsappv1alpha1.ConditionReady); !strings.Contains(msg, "another namespace") {
		t.Errorf("the conflict message does not say where the holder is: %q", msg)
	}

	payload := graphsim.TextMessageWebhook(InboundFrom("4915112345678", "Jana"), "Hello?")
	s.deliverExpect(AppSecret, payload, http.StatusServiceUnavailable)
	s.expectForwarded(bot, 0, "while the number is held elsewhere")

	s.must(s.Client.Delete(s.ctx, holder))
	s.must(s.WaitCondition(s.ctx, ch, whatsappv1alpha1.ConditionReady, metav1.ConditionTrue, "", settle))
	s.waitRouted()
	s.deliverExpect(AppSecret, payload, http.StatusOK) // Meta's retry
	s.expectForwarded(bot, 1, "after Meta's retry, once the number is this channel's")
}

// otherChannel creates a channel for the seeded number in namespace ns.
func (s *testStack) otherChannel(ns, name, providerName, botURL string) *whatsappv1alpha1.WhatsAppChannel {
	s.t.Helper()
	ch := &whatsappv1alpha1.WhatsAppChannel{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: whatsappv1alpha1.WhatsAppChannelSpec{
			ProviderRef: whatsappv1alpha1.ProviderReference{Name: providerName},
			PhoneNumber: PhoneNumber,
			Chatbot:     whatsappv1alpha1.ChatbotTarget{URL: botURL},
		},
	}
	s.createIn(ns, ch)
	return ch
}

// waitUntilOlder returns once an object created now is younger than each
// of objs: creation timestamps have a resolution of one second, and within
// one second the namespace's name, not the order of creation, decides
// which channel is older.
func (s *testStack) waitUntilOlder(objs ...client.Object) {
	s.t.Helper()
	s.must(Eventually(s.ctx, WaitTimeout, "a second passes after the older objects' creation", func(context.Context) (bool, error) {
		for _, o := range objs {
			if !time.Now().After(o.GetCreationTimestamp().Add(time.Second)) {
				return false, nil
			}
		}
		return true, nil
	}))
}

// createIn creates obj in namespace ns.
func (s *testStack) createIn(ns string, obj client.Object) {
	s.t.Helper()
	obj.SetNamespace(ns)
	if err := s.Client.Create(s.ctx, obj); err != nil {
		s.t.Fatalf("create %T %s/%s: %v", obj, ns, obj.GetName(), err)
	}
}

// markWorkloadsReadyIn gives the webhook and relay Deployments of
// providerName in ns a ready replica, as the kubelet would: the provider is
// Ready only with both.
func (s *testStack) markWorkloadsReadyIn(ns, providerName string) {
	s.t.Helper()
	for _, name := range []string{webhookresources.Name(providerName), relayresources.Name(providerName)} {
		d := &appsv1.Deployment{}
		key := client.ObjectKey{Namespace: ns, Name: name}
		s.must(Eventually(s.ctx, WaitTimeout, "the operator creates Deployment "+key.String(), func(ctx context.Context) (bool, error) {
			return true, s.Client.Get(ctx, key, d)
		}))
		patch := client.MergeFrom(d.DeepCopy())
		d.Status.Replicas, d.Status.ReadyReplicas, d.Status.AvailableReplicas, d.Status.UpdatedReplicas = 1, 1, 1, 1
		d.Status.ObservedGeneration = d.Generation
		s.must(s.Client.Status().Patch(s.ctx, d, patch))
	}
}

// conditionMessage returns the message of obj's condition of type condType.
func conditionMessage(obj Conditioned, condType string) string {
	for _, c := range obj.GetConditions() {
		if c.Type == condType {
			return c.Message
		}
	}
	return ""
}
