package ha

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
	"github.com/kubechat/whatsapp-operator/internal/testwait"
)

const (
	appID     = "771234567890123"
	appSecret = "ha-app-secret"
	wabaID    = "102290129340398"
	token     = "EAAG-ha-test-token"
	templates = 6
)

// TestLeaderKilledDuringTemplateSubmission (issue 10): two operator
// processes with leader election; the leader is killed with SIGKILL five
// times at different points of submitting six templates and deleting
// them, and a new process takes the place of each one killed. Meta ends
// up with exactly one template per object, every object Ready with that
// template's id, and after deletion every object is gone (no finalizer
// left behind) and so are the templates at Meta.
//
// The points: (1) Meta created a template but its answer never reached
// the leader; (2) a create request is on its way and Meta has not
// processed it; (3) right after a create was answered; (4) the moment a
// new leader took over; (5) while templates are being deleted.
func TestLeaderKilledDuringTemplateSubmission(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := env.Client
	ns := fmt.Sprintf("ha-%d", time.Now().UnixNano()%1_000_000)
	must(t, c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}))

	sim := graphsim.New(graphsim.Options{ReviewDelay: 300 * time.Millisecond, ReviewOutcome: graphsim.Review{Status: graphsim.StatusApproved}})
	sim.AddApp(graphsim.App{ID: appID, Name: "Acme", Secret: appSecret})
	sim.AddWABA(graphsim.WABA{ID: wabaID, Name: "Acme Support"})
	_, err := sim.AddPhoneNumber(wabaID, graphsim.PhoneNumber{ID: "120211111111111", DisplayPhoneNumber: "+1 202-555-0123", VerifiedName: "Acme Support"})
	must(t, err)
	sim.AddToken(graphsim.Token{Value: token, AppID: appID})
	simSrv := httptest.NewServer(sim)
	defer simSrv.Close()
	defer sim.Close()

	bin := buildOperator(t)
	kubeconfig := writeKubeconfig(t, env.Config)
	var ops []*operator
	spawn := func() {
		ops = append(ops, startOperator(t, fmt.Sprint(len(ops)), bin, kubeconfig, simSrv.URL, ns))
	}
	spawn()
	spawn()

	// The kubelet: Deployments the operator runs get their replicas ready.
	every(ctx, 200*time.Millisecond, func() { markDeploymentsReady(ctx, c, ns) })
	// Meta's template status webhooks, as the webhook server passes them
	// on: templates not Ready yet are asked to reconcile now.
	every(ctx, time.Second, func() { nudgeTemplates(ctx, c, ns) })

	must(t, c.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "acme-meta"}, StringData: map[string]string{
		"accessToken": token, "appSecret": appSecret, "verifyToken": "ha-verify"}}))
	must(t, c.Create(ctx, &whatsappv1alpha1.MetaProvider{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "acme"}, Spec: whatsappv1alpha1.MetaProviderSpec{
		BusinessAccountID: wabaID, AppID: appID, CredentialsSecretRef: whatsappv1alpha1.SecretReference{Name: "acme-meta"}}}))

	leader := func() *operator {
		t.Helper()
		var found *operator
		testwait.Until(t, 30*time.Second, "a process leads", func() bool {
			for _, o := range ops {
				if o.Alive() && o.leading() {
					found = o
					return true
				}
			}
			return false
		})
		return found
	}
	killLeader := func(point string) {
		t.Helper()
		l := leader()
		l.Kill()
		t.Logf("point %s: killed leader %s; %d templates at Meta", point, l.Name, len(sim.Templates(wabaID)))
		spawn()
	}

	// (1) Meta creates the first template, its answer is held back: the
	// leader is killed waiting for it.
	sim.InjectFault(graphsim.Fault{Endpoint: graphsim.EndpointCreateTemplate, Kind: graphsim.FaultLateAnswer, Delay: time.Minute, Times: 1})
	for i := range templates {
		must(t, c.Create(ctx, messageTemplate(ns, i)))
	}
	testwait.Until(t, 60*time.Second, "Meta created a template", func() bool { return len(sim.Templates(wabaID)) >= 1 })
	killLeader("1 (created at Meta, answer lost)")

	// (2) The next create is held before Meta processes it.
	creates := sim.Calls(graphsim.EndpointCreateTemplate)
	sim.InjectFault(graphsim.Fault{Endpoint: graphsim.EndpointCreateTemplate, Kind: graphsim.FaultSlow, Delay: time.Minute, Times: 1})
	testwait.Until(t, 60*time.Second, "a create reached Meta", func() bool { return sim.Calls(graphsim.EndpointCreateTemplate) > creates })
	killLeader("2 (create on its way)")

	// (3) Right after Meta answered a create.
	have := len(sim.Templates(wabaID))
	testwait.Until(t, 60*time.Second, "Meta created one more template", func() bool { return len(sim.Templates(wabaID)) > have })
	killLeader("3 (create answered)")

	// (4) The moment the next leader took over.
	killLeader("4 (just took over)")

	// Every object Ready, one template at Meta each.
	testwait.Until(t, 3*time.Minute, "every MessageTemplate is Ready", func() bool { return readyTemplates(ctx, t, c, ns) == templates })
	checkOnePerObject(ctx, t, c, sim, ns)

	// (5) Deleting: killed after the first delete reached Meta.
	deletes := sim.Calls(graphsim.EndpointDeleteTemplate)
	must(t, c.DeleteAllOf(ctx, &whatsappv1alpha1.MessageTemplate{}, client.InNamespace(ns)))
	testwait.Until(t, 60*time.Second, "a delete reached Meta", func() bool { return sim.Calls(graphsim.EndpointDeleteTemplate) > deletes })
	killLeader("5 (deleting)")

	testwait.Until(t, 2*time.Minute, "every MessageTemplate is gone (no finalizer stuck)", func() bool {
		var list whatsappv1alpha1.MessageTemplateList
		return c.List(ctx, &list, client.InNamespace(ns)) == nil && len(list.Items) == 0
	})
	if left := sim.Templates(wabaID); len(left) != 0 {
		t.Errorf("%d templates left at Meta after their objects were deleted", len(left))
	}
	t.Logf("%d operator processes in all; Meta saw %d creates and %d deletes", len(ops), sim.Calls(graphsim.EndpointCreateTemplate), sim.Calls(graphsim.EndpointDeleteTemplate))
}

// messageTemplate is the i-th template of the test.
func messageTemplate(ns string, i int) *whatsappv1alpha1.MessageTemplate {
	return &whatsappv1alpha1.MessageTemplate{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("order-update-%d", i)},
		Spec: whatsappv1alpha1.MessageTemplateSpec{
			ProviderRef: whatsappv1alpha1.ProviderReference{Name: "acme"},
			Language:    "en_US", Category: "UTILITY",
			Body: whatsappv1alpha1.TemplateBody{Text: fmt.Sprintf("Hi {{1}}, your order {{2}} has shipped (%d).", i), Examples: []string{"John", "#4521"}},
		},
	}
}

// checkOnePerObject: Meta holds exactly one template per object, and the
// object records that template's id.
func checkOnePerObject(ctx context.Context, t *testing.T, c client.Client, sim *graphsim.Server, ns string) {
	t.Helper()
	atMeta := map[string][]string{}
	for _, tpl := range sim.Templates(wabaID) {
		atMeta[tpl.Name+"/"+tpl.Language] = append(atMeta[tpl.Name+"/"+tpl.Language], tpl.ID)
	}
	var list whatsappv1alpha1.MessageTemplateList
	must(t, c.List(ctx, &list, client.InNamespace(ns)))
	for _, mt := range list.Items {
		key := strings.ReplaceAll(mt.Name, "-", "_") + "/" + mt.Spec.Language
		ids := atMeta[key]
		switch {
		case len(ids) != 1:
			t.Errorf("%s: %d templates at Meta (%v), want exactly 1", mt.Name, len(ids), ids)
		case mt.Status.TemplateID != ids[0]:
			t.Errorf("%s: status.templateID %q, Meta's template is %q", mt.Name, mt.Status.TemplateID, ids[0])
		}
	}
	if len(atMeta) != templates {
		t.Errorf("Meta holds templates of %d names, want %d", len(atMeta), templates)
	}
}

// readyTemplates counts the Ready MessageTemplates.
func readyTemplates(ctx context.Context, t *testing.T, c client.Client, ns string) int {
	var list whatsappv1alpha1.MessageTemplateList
	if err := c.List(ctx, &list, client.InNamespace(ns)); err != nil {
		t.Logf("list: %v", err)
		return 0
	}
	n := 0
	for _, mt := range list.Items {
		if meta.IsStatusConditionTrue(mt.Status.Conditions, whatsappv1alpha1.ConditionReady) {
			n++
		}
	}
	return n
}

// markDeploymentsReady plays the kubelet and the Deployment controller,
// which envtest does not run.
func markDeploymentsReady(ctx context.Context, c client.Client, ns string) {
	var list appsv1.DeploymentList
	if c.List(ctx, &list, client.InNamespace(ns)) != nil {
		return
	}
	for i := range list.Items {
		d := &list.Items[i]
		want := int32(1)
		if d.Spec.Replicas != nil {
			want = *d.Spec.Replicas
		}
		if d.Status.ReadyReplicas == want && d.Status.ObservedGeneration == d.Generation {
			continue
		}
		patch := client.MergeFrom(d.DeepCopy())
		d.Status.Replicas, d.Status.ReadyReplicas, d.Status.AvailableReplicas, d.Status.UpdatedReplicas = want, want, want, want
		d.Status.ObservedGeneration = d.Generation
		_ = c.Status().Patch(ctx, d, patch)
	}
}

// nudgeTemplates asks every MessageTemplate that is not Ready to reconcile
// now, as the webhook server does on Meta's template status webhook.
func nudgeTemplates(ctx context.Context, c client.Client, ns string) {
	var list whatsappv1alpha1.MessageTemplateList
	if c.List(ctx, &list, client.InNamespace(ns)) != nil {
		return
	}
	for i := range list.Items {
		mt := &list.Items[i]
		if meta.IsStatusConditionTrue(mt.Status.Conditions, whatsappv1alpha1.ConditionReady) || !mt.DeletionTimestamp.IsZero() {
			continue
		}
		patch := client.MergeFrom(mt.DeepCopy())
		if mt.Annotations == nil {
			mt.Annotations = map[string]string{}
		}
		mt.Annotations[whatsappv1alpha1.ReconcileRequestAnnotation] = time.Now().Format(time.RFC3339Nano)
		if err := c.Patch(ctx, mt, patch); err != nil && !apierrors.IsNotFound(err) {
			continue
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
