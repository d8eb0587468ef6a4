package webhookserver

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

func TestAnnotationRequester(t *testing.T) {
	template := func(name, provider, id string) *whatsappv1alpha1.MessageTemplate {
		m := &whatsappv1alpha1.MessageTemplate{}
		m.Namespace, m.Name = testNamespace, name
		m.Spec.ProviderRef.Name = provider
		m.Status.TemplateID = id
		return m
	}
	ch := newChannel("us", "+12025550101", "101", urlBot("http://127.0.0.1:1/"))
	c := fake.NewClientBuilder().WithScheme(mustScheme(t)).WithObjects(
		template("mine", testProvider, "42"),
		template("mine-too", testProvider, "42"),
		template("other-id", testProvider, "43"),
		template("other-provider", "someone", "42"),
		&ch,
	).Build()
	now := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	r := &annotationRequester{reader: c, writer: c, namespace: testNamespace, provider: testProvider, now: func() time.Time { return now }}

	n, err := r.RequestTemplates(context.Background(), "42")
	if err != nil || n != 2 {
		t.Fatalf("RequestTemplates: %d, %v; want the 2 templates of this provider with id 42", n, err)
	}
	must(t, r.RequestChannel(context.Background(), types.NamespacedName{Namespace: testNamespace, Name: "us"}))
	must(t, r.RequestChannel(context.Background(), types.NamespacedName{Namespace: testNamespace, Name: "deleted-meanwhile"}))

	got := map[string]string{}
	for _, name := range []string{"mine", "mine-too", "other-id", "other-provider"} {
		var m whatsappv1alpha1.MessageTemplate
		must(t, c.Get(context.Background(), types.NamespacedName{Namespace: testNamespace, Name: name}, &m))
		got[name] = m.Annotations[whatsappv1alpha1.ReconcileRequestAnnotation]
	}
	var gotCh whatsappv1alpha1.WhatsAppChannel
	must(t, c.Get(context.Background(), types.NamespacedName{Namespace: testNamespace, Name: "us"}, &gotCh))
	got["channel"] = gotCh.Annotations[whatsappv1alpha1.ReconcileRequestAnnotation]
	ts := "2026-01-02T03:04:05.000000006Z"
	want := map[string]string{"mine": ts, "mine-too": ts, "other-id": "", "other-provider": "", "channel": ts}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("only this provider's templates with the event's id, and the channel, get a fresh timestamp: -want, +got:\n%s", diff)
	}
}

func TestAnnotationRequesterTriesEveryTemplate(t *testing.T) {
	var templates []client.Object
	for _, name := range []string{"a-refused", "b-ok", "c-refused", "d-ok"} {
		m := &whatsappv1alpha1.MessageTemplate{}
		m.Namespace, m.Name = testNamespace, name
		m.Spec.ProviderRef.Name = testProvider
		m.Status.TemplateID = "42"
		templates = append(templates, m)
	}
	c := fake.NewClientBuilder().WithScheme(mustScheme(t)).WithObjects(templates...).
		WithInterceptorFuncs(interceptor.Funcs{Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, p client.Patch, o ...client.PatchOption) error {
			if strings.HasSuffix(obj.GetName(), "-refused") {
				return apierrors.NewForbidden(schema.GroupResource{Group: "whatsapp.kubechat.io", Resource: "messagetemplates"}, obj.GetName(), errors.New("test"))
			}
			return c.Patch(ctx, obj, p, o...)
		}}).Build()
	r := &annotationRequester{reader: c, writer: c, namespace: testNamespace, provider: testProvider, now: time.Now}

	n, err := r.RequestTemplates(context.Background(), "42")
	if n != 2 || err == nil || errorCount(err) != 2 {
		t.Errorf("RequestTemplates = %d, %v; want 2 annotated and both refusals reported", n, err)
	}
	got := map[string]bool{}
	for _, o := range templates {
		var m whatsappv1alpha1.MessageTemplate
		must(t, c.Get(context.Background(), client.ObjectKeyFromObject(o), &m))
		got[o.GetName()] = m.Annotations[whatsappv1alpha1.ReconcileRequestAnnotation] != ""
	}
	want := map[string]bool{"a-refused": false, "b-ok": true, "c-refused": false, "d-ok": true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("a refused patch does not keep the other templates from their nudge: -want, +got:\n%s", diff)
	}
}

// Meta may approve a template moments after it was submitted, before the
// informer cache holds the template's status.templateID: the event is
// looked up in the API server itself, so the approval is not left to the
// next poll.
func TestAnnotationRequesterLooksUpTemplatesTheCacheDoesNotKnowYet(t *testing.T) {
	m := &whatsappv1alpha1.MessageTemplate{}
	m.Namespace, m.Name = testNamespace, "just-submitted"
	m.Spec.ProviderRef.Name = testProvider
	m.Status.TemplateID = "42"
	cache := fake.NewClientBuilder().WithScheme(mustScheme(t)).Build() // the informer has not caught up
	live := fake.NewClientBuilder().WithScheme(mustScheme(t)).WithObjects(m).Build()
	r := &annotationRequester{reader: cache, live: live, writer: live, namespace: testNamespace, provider: testProvider, now: time.Now}

	n, err := r.RequestTemplates(context.Background(), "42")
	if err != nil || n != 1 {
		t.Fatalf("RequestTemplates = %d, %v; want the template found in the API server annotated", n, err)
	}
	var got whatsappv1alpha1.MessageTemplate
	must(t, live.Get(context.Background(), client.ObjectKeyFromObject(m), &got))
	if got.Annotations[whatsappv1alpha1.ReconcileRequestAnnotation] == "" {
		t.Errorf("the template found only in the API server has no reconcile request: %v", got.Annotations)
	}
	if n, err := r.RequestTemplates(context.Background(), "43"); err != nil || n != 0 {
		t.Errorf("RequestTemplates(unknown id) = %d, %v; want 0 and no error", n, err)
	}
}
