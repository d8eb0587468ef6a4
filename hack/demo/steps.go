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

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/hack/demo/simctl"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
	"github.com/kubechat/whatsapp-operator/internal/relayresources"
	"github.com/kubechat/whatsapp-operator/internal/testenv"
	"github.com/kubechat/whatsapp-operator/internal/webhookresources"
	"github.com/kubechat/whatsapp-operator/relay"
	"github.com/kubechat/whatsapp-operator/test/e2e"
	"github.com/kubechat/whatsapp-operator/webhookserver"
	"github.com/kubechat/whatsapp-operator/internal/kubeconfigfile"
)

// settle bounds each wait for the operator.
const settle = 30 * time.Second

// providerName is the demo's MetaProvider.
const providerName = "acme"

// demo holds what the steps start, so that stop can end it all.
type demo struct {
	out     io.Writer
	dir     string
	opts    options
	started time.Time
	ctx     context.Context

	kubeconfig string
	env        *testenv.Env
	client     client.Client
	bin        binaries
	sim        *simctl.Client
	children   []*process // started in order, stopped in reverse
	commands   []string   // their command lines, for the summary
	bot        *e2e.Chatbot
	echo       *e2e.EchoBot

	webhookAddress, relayAddress string

	provider  *whatsappv1alpha1.MetaProvider
	channels  []*whatsappv1alpha1.WhatsAppChannel
	templates []*whatsappv1alpha1.MessageTemplate

	approvedIn time.Duration
}

// step is one numbered stage of the demo.
type step struct {
	title string
	run   func() error
}

// runScenario runs every step in order and stops at the first failure.
func (d *demo) runScenario(ctx context.Context) error {
	d.ctx = ctx
	d.provider = &whatsappv1alpha1.MetaProvider{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: providerName}}
	for _, name := range []string{"support-us", "sales-us"} {
		d.channels = append(d.channels, &whatsappv1alpha1.WhatsAppChannel{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}})
	}
	for _, name := range []string{"order-update", "new-bot-message", "spring-sale"} {
		d.templates = append(d.templates, &whatsappv1alpha1.MessageTemplate{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}})
	}
	steps := []step{
		{"Build whatsapp-operator and the Graph API simulator", d.build},
		{"Start kube-apiserver and etcd (envtest) with the CRDs", d.startCluster},
		{"Start the Graph API simulator (Meta) as its own process", d.startSimulator},
		{"Start the operator: whatsapp-operator --watch-namespaces " + namespace, d.startOperator},
		{"Start the echo chatbot", d.startChatbot},
		{"Apply a team's YAML in namespace " + namespace, d.applyManifests},
		{"Run the webhook server and the relay as their pods would: whatsapp-operator webhook-server / relay", d.runWorkloads},
		{"Wait for the provider and the channels to be Ready, the templates to be in review", d.waitReady},
		{"Meta approves order_update and new_bot_message", d.approveTemplates},
		{"A WhatsApp user writes to " + e2e.DisplayPhoneNumber, d.sendInbound},
	}
	fmt.Fprintln(d.out, "whatsapp-operator demo: the operator, its webhook server and relay, and a simulated Meta, all on this machine.")
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

func (d *demo) build() error {
	if d.opts.operatorBinary != "" && d.opts.graphsimBinary != "" {
		d.bin = binaries{operator: d.opts.operatorBinary, graphsim: d.opts.graphsimBinary}
		d.say("using %s and %s", d.bin.operator, d.bin.graphsim)
		return nil
	}
	bin, err := buildBinaries(filepath.Join(d.dir, "bin"))
	if err != nil {
		return err
	}
	d.bin = bin
	d.say("go build . ./internal/graph/graphsim/cmd/graphsim -> %s", filepath.Dir(bin.operator))
	return nil
}

func (d *demo) startCluster() error {
	env, err := testenv.Start()
	if err != nil {
		return err
	}
	d.env, d.client = env, env.Client
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}
	if err := d.client.Create(d.ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create namespace %s: %w", namespace, err)
	}
	d.kubeconfig = filepath.Join(d.dir, "kubeconfig")
	if err := kubeconfigfile.Admin(env.Config, d.kubeconfig, namespace); err != nil {
		return fmt.Errorf("write the kubeconfig: %w", err)
	}
	d.say("API server %s; namespace %s", env.Config.Host, namespace)
	d.say("To look while the demo runs:")
	d.say("    export KUBECONFIG=%s", d.kubeconfig)
	d.say("    %s get whatsapp -n %s", kubectlCommand(), namespace)
	return nil
}

func (d *demo) startSimulator() error {
	var err error
	if d.webhookAddress, err = freeLoopbackAddress(); err != nil {
		return err
	}
	if d.relayAddress, err = freeLoopbackAddress(); err != nil {
		return err
	}
	simAddress, err := freeLoopbackAddress()
	if err != nil {
		return err
	}
	seed := filepath.Join(d.dir, "graphsim-seed.yaml")
	if err := writeSimulatorSeed(seed, d.webhookURL()); err != nil {
		return err
	}
	args := []string{"--addr", simAddress, "--config", seed, "--review-outcome", "", "--status-webhooks"}
	p, err := startProcess("graphsim", filepath.Join(d.dir, "graphsim.log"), d.bin.graphsim, args...)
	if err != nil {
		return err
	}
	d.children = append(d.children, p)
	d.commands = append(d.commands, "graphsim "+joinArgs(args))
	d.sim = simctl.New("http://" + simAddress)
	if err := waitHTTP(d.ctx, p, d.sim.URL()+"/_sim/calls"); err != nil {
		return err
	}
	d.say("Meta (simulated) at %s:", d.sim.URL())
	d.say("    WhatsApp Business Account %q (%s), numbers %s and %s, app %s", e2e.WABAName, e2e.WABAID, e2e.DisplayPhoneNumber, salesDisplayPhoneNumber, e2e.AppID)
	d.say("    the app's callback is the webhook server (%s); Meta sends status webhooks for every message", d.webhookURL())
	d.say("    template reviews wait for a decision (this demo's, then yours on the chat page)")
	return nil
}

func (d *demo) webhookURL() string { return "http://" + d.webhookAddress + webhookserver.PathWebhook }

func (d *demo) startOperator() error {
	probe, err := freeLoopbackAddress()
	if err != nil {
		return err
	}
	args := []string{"--kubeconfig", d.kubeconfig, "--graph-api-url", d.sim.URL(), "--graph-api-version", e2e.GraphAPIVersion,
		"--watch-namespaces", namespace, "--metrics-bind-address", "0", "--health-probe-bind-address", probe,
		"--webhook-image", "whatsapp-operator:demo"}
	p, err := startProcess("operator", filepath.Join(d.dir, "operator.log"), d.bin.operator, args...)
	if err != nil {
		return err
	}
	d.children = append(d.children, p)
	d.commands = append(d.commands, "whatsapp-operator "+joinArgs(args))
	if err := waitHTTP(d.ctx, p, "http://"+probe+"/readyz"); err != nil {
		return err
	}
	d.say("whatsapp-operator (pid %d) reconciles MetaProvider, WhatsAppChannel and MessageTemplate in namespace %s", p.cmd.Process.Pid, namespace)
	return nil
}

func (d *demo) startChatbot() error {
	d.echo = e2e.NewEchoBot(func() string { return "http://" + d.relayAddress }, func() ([]byte, error) {
		// What a bot's pod reads from the mounted Secret <provider>-forwarding.
		sec := &corev1.Secret{}
		key := client.ObjectKey{Namespace: namespace, Name: whatsappv1alpha1.ForwardingSecretName(providerName)}
		if err := d.client.Get(context.Background(), key, sec); err != nil {
			return nil, fmt.Errorf("read the forwarding key: %w", err)
		}
		return sec.Data[whatsappv1alpha1.SecretKeyForwardingKey], nil
	})
	d.echo.Respond = newDemoBot(func() string { return "http://" + d.relayAddress }).respond
	d.echo.MarkRead = true
	d.bot = e2e.NewChatbot(d.echo.Handle)
	d.say("%s: holds no token and no app secret; checks each body with the forwarding key,", d.bot.URL)
	d.say("    marks each message read and answers through the relay, in Meta's own send API:")
	d.say("    \"Echo: ...\", and on menu, list, photo, long, order: buttons, a list, an image, a split text, a template")
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
	created, err := apply(d.ctx, d.client, doc)
	if err != nil {
		return err
	}
	d.say("applied %s (what `kubectl create -f` does)", path)
	d.say("created %s", strings.Join(created, ", "))
	d.printTable(d.out)
	return nil
}

func (d *demo) runWorkloads() error {
	hook, err := d.startWorkload(workload{name: webhookresources.Name(providerName), address: d.webhookAddress,
		readyz: webhookserver.PathReadyz, flags: []string{"--chatbot-allow-loopback"}})
	if err != nil {
		return err
	}
	rel, err := d.startWorkload(workload{name: relayresources.Name(providerName), address: d.relayAddress, readyz: relay.PathReadyz})
	if err != nil {
		return err
	}
	d.say("The operator created Deployments acme-webhook and acme-relay, each with its ServiceAccount, Role,")
	d.say("Service and NetworkPolicy, and the Secrets acme-webhook (no access token) and acme-forwarding.")
	d.say("There is no kubelet here, so the demo runs each Deployment's own command line as a process, with a")
	d.say("kubeconfig holding only a token of its ServiceAccount (the Role the operator wrote):")
	d.say("    webhook server (pid %d) at %s (--chatbot-allow-loopback: the chatbot is on this machine)", hook.cmd.Process.Pid, d.webhookURL())
	d.say("    relay (pid %d) at http://%s", rel.cmd.Process.Pid, d.relayAddress)
	d.say("Once each /readyz answered, the demo marked the Deployment ready, as the kubelet would.")
	return nil
}

func (d *demo) waitReady() error {
	objs := []e2e.Conditioned{d.provider}
	for _, ch := range d.channels {
		objs = append(objs, ch)
	}
	for _, obj := range objs {
		if err := waitCondition(d.ctx, d.client, obj, whatsappv1alpha1.ConditionReady, metav1.ConditionTrue, "", settle); err != nil {
			return err
		}
	}
	for _, t := range d.templates {
		err := e2e.Eventually(d.ctx, settle, "MessageTemplate "+t.Name+" submitted to Meta", func(ctx context.Context) (bool, error) {
			if err := d.client.Get(ctx, keyOf(t), t); err != nil {
				return false, err
			}
			if t.Status.TemplateID == "" {
				return false, errors.New("conditions: " + e2e.DescribeConditions(t.Status.Conditions))
			}
			return true, nil
		})
		if err != nil {
			return err
		}
	}
	for _, ch := range d.channels {
		d.say("Channel %s routes number id %s (%s)", ch.Name, ch.Status.PhoneNumberID, ch.Status.DisplayPhoneNumber)
	}
	d.printTable(d.out)
	return nil
}

func (d *demo) approveTemplates() error {
	for _, t := range d.templates[:2] {
		decided := time.Now()
		if err := d.sim.SetTemplateStatus(d.ctx, t.Status.TemplateID, graphsim.StatusApproved, ""); err != nil {
			return err
		}
		// The provider's syncInterval is 10m and a template in review is
		// polled every 30s at first: only Meta's webhook makes it this fast.
		if err := waitCondition(d.ctx, d.client, t, whatsappv1alpha1.ConditionReady, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded, 10*time.Second); err != nil {
			return err
		}
		d.approvedIn = max(d.approvedIn, time.Since(decided))
		d.say("Meta approved %s (%s) and sent message_template_status_update to the app's callback;", t.Spec.Name, t.Status.TemplateID)
		d.say("    the webhook server asked for a re-sync: the MessageTemplate showed %s %s later", t.Status.ApprovalStatus, time.Since(decided).Round(time.Millisecond))
	}
	st, err := d.sim.State(d.ctx)
	if err != nil {
		return err
	}
	n := 0
	for _, dl := range st.Deliveries {
		if dl.Field == "message_template_status_update" && dl.StatusCode == 200 {
			n++
		}
	}
	if n < 2 {
		return fmt.Errorf("the templates are APPROVED but Meta's status webhooks did not all reach the webhook server: %+v", st.Deliveries)
	}
	err = waitCondition(d.ctx, d.client, d.provider, whatsappv1alpha1.ConditionRelayReady, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded, settle)
	if err != nil {
		return fmt.Errorf("the relay's fallback template new_bot_message: %w", err)
	}
	d.say("(no poll did this: syncInterval is 10m.) The relay now has its fallback outside the 24-hour window;")
	d.say("spring_sale stays PENDING for you to decide on the chat page.")
	d.printTable(d.out)
	return nil
}

func (d *demo) sendInbound() error {
	const text = "Hi! Where is my order #4521?"
	msg := graphsim.UserMessage{From: userWaID, Name: userName, Type: graphsim.UserText, Text: text}
	res, err := d.sim.SendFromUser(d.ctx, e2e.PhoneNumberID, msg)
	if err != nil {
		return err
	}
	d.say("Meta  -> POST %s (signed with the app secret): %d", d.webhookURL(), res.StatusCode)
	got := d.received()
	if res.StatusCode != 200 || len(got) != 1 {
		return fmt.Errorf("the webhook server answered %d %s and the chatbot received %d messages, want 200 and 1", res.StatusCode, res.Error, len(got))
	}
	if got[0].Text != text || got[0].ID != res.MessageID {
		return fmt.Errorf("the chatbot read %+v", got[0])
	}
	d.say("chatbot <- from %s (%s): %q", got[0].From, got[0].Name, got[0].Text)
	replies, errs := d.echo.Sent()
	if len(errs) > 0 || len(replies) != 1 {
		return fmt.Errorf("the chatbot's reply failed: %v", errors.Join(errs...))
	}
	var atMeta []graphsim.SentMessage
	err = e2e.Eventually(d.ctx, settle, "the reply's sent and delivered status webhooks reach the chatbot", func(ctx context.Context) (bool, error) {
		st, err := d.sim.State(ctx)
		if err != nil {
			return false, err
		}
		atMeta = st.SentMessages
		return d.statusesReceived() >= 2, nil
	})
	if err != nil {
		return err
	}
	if len(atMeta) != 1 || !strings.Contains(string(atMeta[0].Body), "Echo: "+text) {
		return fmt.Errorf("Meta holds %d sent messages, want the chatbot's reply", len(atMeta))
	}
	d.say("chatbot -> relay POST /%s/%s/messages (no token): %q; the relay sent it to Meta as %s",
		e2e.GraphAPIVersion, e2e.PhoneNumberID, replies[0], atMeta[0].ID)
	d.say("Meta  -> the user's phone got it: sent and delivered status webhooks reached the chatbot")

	msg.MessageID = res.MessageID
	again, err := d.sim.SendFromUser(d.ctx, e2e.PhoneNumberID, msg)
	if err != nil {
		return err
	}
	if n := len(d.received()); again.StatusCode != 200 || n != 1 {
		return fmt.Errorf("Meta's retry got %d and the chatbot now has %d messages, want 200 and still 1", again.StatusCode, n)
	}
	d.say("Meta retries the same webhook: %d, and the chatbot is not called again (deduplicated by message id)", again.StatusCode)
	return nil
}

// received returns the messages (not statuses) the chatbot received.
func (d *demo) received() []e2e.Incoming {
	var out []e2e.Incoming
	for _, f := range d.bot.Received() {
		msgs, _ := f.Messages()
		out = append(out, msgs...)
	}
	return out
}

// statusesReceived counts the status webhooks forwarded to the chatbot.
func (d *demo) statusesReceived() int {
	n := 0
	for _, f := range d.bot.Received() {
		n += strings.Count(string(f.Body), `"statuses":`)
	}
	return n
}

func (d *demo) summary() {
	fmt.Fprintf(d.out, "\nDemo complete in %s: a team's YAML became a Ready provider and channels, Meta's approvals reached\n"+
		"the MessageTemplates within %s, and a WhatsApp message reached the chatbot once and its reply the user.\n",
		time.Since(d.started).Round(100*time.Millisecond), d.approvedIn.Round(time.Millisecond))
}

// stop ends everything the steps started, in reverse order, the API server
// last.
func (d *demo) stop() error {
	var errs []error
	for i := len(d.children) - 1; i >= 0; i-- {
		errs = append(errs, d.children[i].stop())
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

// waitCondition re-reads obj until it has the condition for its current
// generation; its error lists the conditions last seen.
func waitCondition(ctx context.Context, c client.Client, obj e2e.Conditioned, condType string, status metav1.ConditionStatus, reason string, within time.Duration) error {
	what := fmt.Sprintf("%T %s: %s=%s %s", obj, obj.GetName(), condType, status, reason)
	return e2e.Eventually(ctx, within, what, func(ctx context.Context) (bool, error) {
		if err := c.Get(ctx, keyOf(obj), obj); err != nil {
			return false, err
		}
		if e2e.HasCondition(obj, condType, status, reason) {
			return true, nil
		}
		return false, errors.New("conditions: " + e2e.DescribeConditions(obj.GetConditions()))
	})
}
