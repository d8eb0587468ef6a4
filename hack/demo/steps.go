package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
	"github.com/kubechat/whatsapp-operator/internal/testenv"
	"github.com/kubechat/whatsapp-operator/test/e2e"
)

// reviewDelay is how long the simulated Meta takes to approve a template.
const reviewDelay = 5 * time.Second

// settle bounds each wait for the operator.
const settle = 30 * time.Second

// demo holds what the steps start, so that stop can end it all.
type demo struct {
	out        io.Writer
	dir        string
	log        logr.Logger
	started    time.Time
	ctx        context.Context
	kubeconfig string

	env   *testenv.Env
	stack *e2e.Stack
	bot   *e2e.Chatbot
	echo  *e2e.EchoBot

	provider *whatsappv1alpha1.MetaProvider
	channel  *whatsappv1alpha1.WhatsAppChannel
	template *whatsappv1alpha1.MessageTemplate

	approvedIn time.Duration
}

// step is one numbered stage of the demo.
type step struct {
	title string
	run   func() error
}

// run runs every step in order and stops at the first failure.
func (d *demo) run(ctx context.Context) error {
	d.ctx = ctx
	d.provider = &whatsappv1alpha1.MetaProvider{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "acme"}}
	d.channel = &whatsappv1alpha1.WhatsAppChannel{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "support-us"}}
	d.template = &whatsappv1alpha1.MessageTemplate{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "order-update"}}
	steps := []step{
		{"Start kube-apiserver and etcd (envtest) with the CRDs", d.startCluster},
		{"Start the Graph API simulator (Meta) and the operator's controllers", d.startOperator},
		{"Start the echo chatbot", d.startChatbot},
		{"Apply a team's YAML in namespace " + namespace, d.applyManifests},
		{"Run the webhook server and the relay of MetaProvider " + namespace + "/acme", d.runWorkloads},
		{"Wait for the provider and the channel to be Ready, the template to be in review", d.waitReady},
		{"Wait for Meta's review of the template", d.waitApproved},
		{"A WhatsApp user writes to " + e2e.DisplayPhoneNumber, d.sendInbound},
	}
	fmt.Fprintln(d.out, "whatsapp-operator demo: the operator, its webhook server and a simulated Meta, all on this machine.")
	for i, s := range steps {
		fmt.Fprintf(d.out, "\n[%d/%d] %s\n", i+1, len(steps), s.title)
		t0 := time.Now()
		if err := s.run(); err != nil {
			return fmt.Errorf("step %d (%s): %w", i+1, s.title, err)
		}
		fmt.Fprintf(d.out, "      ok (%s)\n", time.Since(t0).Round(100*time.Millisecond))
	}
	d.summary()
	return nil
}

func (d *demo) say(format string, args ...any) {
	fmt.Fprintf(d.out, "      "+format+"\n", args...)
}

func (d *demo) startCluster() error {
	env, err := testenv.Start()
	if err != nil {
		return err
	}
	d.env = env
	d.kubeconfig = filepath.Join(d.dir, "kubeconfig")
	if err := writeKubeconfig(env.Config, d.kubeconfig); err != nil {
		return fmt.Errorf("write the kubeconfig: %w", err)
	}
	d.say("API server %s", env.Config.Host)
	d.say("To look while the demo runs (add --keep-running to explore after it):")
	d.say("    export KUBECONFIG=%s", d.kubeconfig)
	d.say("    %s get whatsapp -n %s", kubectlCommand(), namespace)
	return nil
}

func (d *demo) startOperator() error {
	s, err := e2e.Start(d.ctx, e2e.Options{
		Env: d.env, Namespace: namespace, Logger: d.log,
		ReviewDelay: reviewDelay, Review: graphsim.Review{Status: graphsim.StatusApproved},
	})
	if err != nil {
		return err
	}
	d.stack = s
	d.say("Meta (simulated) at %s:", s.SimURL)
	d.say("    WhatsApp Business Account %q (%s), number %s, app %s", e2e.WABAName, e2e.WABAID, e2e.DisplayPhoneNumber, e2e.AppID)
	d.say("    template reviews approve %s after submission; the app's callback is the webhook server", reviewDelay)
	d.say("Controllers for MetaProvider, WhatsAppChannel and MessageTemplate, watching namespace %s", namespace)
	return nil
}

func (d *demo) startChatbot() error {
	d.echo = e2e.NewEchoBot(func() string { return d.stack.RelayURL }, func() ([]byte, error) {
		// What a bot's pod reads from the mounted Secret <provider>-forwarding.
		k, err := d.stack.ForwardingKey(d.ctx, d.provider.Name)
		return []byte(k), err
	})
	d.bot = e2e.NewChatbot(d.echo.Handle)
	d.say("%s: holds no token and no app secret; checks each body with the forwarding key and answers", d.bot.URL)
	d.say("    each text with \"Echo: ...\" through the relay, in Meta's own send API")
	return nil
}

func (d *demo) applyManifests() error {
	doc, err := renderManifests(namespace, d.bot.URL)
	if err != nil {
		return err
	}
	path := filepath.Join(d.dir, "demo.yaml")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		return err
	}
	created, err := apply(d.ctx, d.stack.Client, doc)
	if err != nil {
		return err
	}
	d.say("applied %s (what `kubectl create -f` does)", path)
	d.say("created %s", strings.Join(created, ", "))
	d.printTable(d.out)
	return nil
}

func (d *demo) runWorkloads() error {
	if err := d.stack.StartWebhookServer(d.ctx, d.provider.Name); err != nil {
		return err
	}
	if err := d.stack.StartRelay(d.ctx, d.provider.Name); err != nil {
		return err
	}
	if err := d.stack.MarkWebhookReady(d.ctx, d.provider.Name); err != nil {
		return err
	}
	if err := d.stack.MarkRelayReady(d.ctx, d.provider.Name); err != nil {
		return err
	}
	d.say("The operator created Deployments acme-webhook and acme-relay, each with its ServiceAccount, Role,")
	d.say("Service and NetworkPolicy, and the Secrets acme-webhook (no access token) and acme-forwarding.")
	d.say("There is no kubelet here to run their pods, so the demo runs the same servers in-process,")
	d.say("each as its ServiceAccount (only the Role the operator wrote): the webhook server at %s,", d.stack.WebhookURL)
	d.say("the relay at %s; once each /readyz answered, it marked the Deployment ready, as the kubelet would.", d.stack.RelayURL)
	return nil
}

func (d *demo) waitReady() error {
	for _, obj := range []e2e.Conditioned{d.provider, d.channel} {
		if err := d.stack.WaitCondition(d.ctx, obj, whatsappv1alpha1.ConditionReady, metav1.ConditionTrue, "", settle); err != nil {
			return err
		}
	}
	err := e2e.Eventually(d.ctx, settle, "MessageTemplate order-update submitted to Meta", func(ctx context.Context) (bool, error) {
		if err := d.stack.Client.Get(ctx, keyOf(d.template), d.template); err != nil {
			return false, err
		}
		if d.template.Status.TemplateID == "" {
			return false, errors.New("conditions: " + e2e.DescribeConditions(d.template.Status.Conditions))
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	d.say("Channel %s routes number id %s; template %s is %s at Meta (id %s)",
		d.channel.Name, d.channel.Status.PhoneNumberID, d.template.Name, d.template.Status.ApprovalStatus, d.template.Status.TemplateID)
	d.printTable(d.out)
	return nil
}

func (d *demo) waitApproved() error {
	// Within the review delay plus a little: the provider's syncInterval is
	// 10m and a pending template is polled every 30s at first, so only
	// Meta's webhook can make it this fast.
	within := reviewDelay + 10*time.Second
	if err := d.stack.WaitCondition(d.ctx, d.template, whatsappv1alpha1.ConditionReady, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded, within); err != nil {
		return err
	}
	seen := time.Now()
	var webhook *graphsim.Delivery
	for _, dl := range d.stack.Sim.Deliveries() {
		if dl.Field == "message_template_status_update" {
			webhook = &dl
		}
	}
	if webhook == nil || webhook.StatusCode != 200 {
		return fmt.Errorf("the template is APPROVED but Meta's status webhook did not reach the webhook server: %+v", webhook)
	}
	d.approvedIn = seen.Sub(webhook.At)
	d.say("Meta approved %s and sent message_template_status_update to the app's callback:", d.template.Status.TemplateID)
	d.say("the webhook server answered 200 and asked for a re-sync; the MessageTemplate showed %s %s later",
		d.template.Status.ApprovalStatus, d.approvedIn.Round(time.Millisecond))
	d.say("(no poll did this: syncInterval is 10m, a template in review is polled every 30s at first)")
	d.printTable(d.out)
	return nil
}

func (d *demo) sendInbound() error {
	const text = "Hi! Where is my order #4521?"
	payload := graphsim.TextMessageWebhook(e2e.InboundFrom("4915112345678", "Jana"), text)
	code, err := d.stack.Deliver(d.ctx, payload)
	if err != nil {
		return err
	}
	d.say("Meta  -> POST %s (signed with the app secret): %d", d.stack.WebhookURL, code)
	got := d.bot.Received()
	if code != 200 || len(got) != 1 {
		return fmt.Errorf("the webhook server answered %d and the chatbot received %d requests, want 200 and 1", code, len(got))
	}
	msgs, err := got[0].TextMessages()
	if err != nil || len(msgs) != 1 || msgs[0].Text != text {
		return fmt.Errorf("the chatbot could not read the message (%v): %s", err, got[0].Body)
	}
	d.say("chatbot <- X-WhatsApp-Channel: %s; from %s: %q", got[0].Channel(), msgs[0].From, msgs[0].Text)
	replies, errs := d.echo.Sent()
	if len(errs) > 0 || len(replies) != 1 {
		return fmt.Errorf("the chatbot's reply failed: %v", errors.Join(errs...))
	}
	atMeta := d.stack.Sim.SentMessages(e2e.PhoneNumberID)
	if len(atMeta) != 1 {
		return fmt.Errorf("Meta holds %d sent messages, want the chatbot's reply", len(atMeta))
	}
	d.say("chatbot -> relay POST /%s/%s/messages (no token): %q to %s; the relay sent it to Meta, accepted as %s",
		e2e.GraphAPIVersion, e2e.PhoneNumberID, replies[0], atMeta[0].To, atMeta[0].ID)

	code, err = d.stack.Deliver(d.ctx, payload)
	if err != nil {
		return err
	}
	if n := len(d.bot.Received()); code != 200 || n != 1 {
		return fmt.Errorf("Meta's retry got %d and the chatbot now has %d requests, want 200 and still 1", code, n)
	}
	d.say("Meta retries the same webhook: %d, and the chatbot is not called again (deduplicated by message id)", code)
	return nil
}

func (d *demo) summary() {
	fmt.Fprintf(d.out, "\nDemo complete in %s: a team's YAML became a Ready provider and channel, Meta's approval reached\n"+
		"the MessageTemplate %s after Meta sent it, and a WhatsApp message reached the chatbot once.\n",
		time.Since(d.started).Round(100*time.Millisecond), d.approvedIn.Round(time.Millisecond))
}

// stop ends everything the steps started, the API server last.
func (d *demo) stop() error {
	var errs []error
	if d.stack != nil {
		errs = append(errs, d.stack.Close())
	}
	if d.bot != nil {
		d.bot.Close()
	}
	if d.env != nil {
		errs = append(errs, d.env.Stop())
	}
	return errors.Join(errs...)
}

func keyOf(obj client.Object) client.ObjectKey { return client.ObjectKeyFromObject(obj) }
