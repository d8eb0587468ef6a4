package webhookserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// reconcileRequester asks the controllers to re-sync objects at once, by
// setting the reconcile-requested-at annotation.
type reconcileRequester interface {
	// RequestTemplates nudges the provider's MessageTemplates whose
	// status.templateID is id. It tries every one of them and returns how
	// many it annotated, and the errors of the others joined (errors.Join).
	RequestTemplates(ctx context.Context, id string) (int, error)
	// RequestChannel nudges one WhatsAppChannel.
	RequestChannel(ctx context.Context, channel types.NamespacedName) error
}

// annotationRequester reads MessageTemplates from the cache and writes
// merge patches through the API server. A template event whose id no cached
// template carries is looked up once more in live (the API server itself,
// when set): Meta may decide a review moments after the submission, before
// the informer delivered the template's status.templateID, and that event
// must not wait for the next poll.
type annotationRequester struct {
	reader    client.Reader
	live      client.Reader
	writer    client.Writer
	namespace string
	provider  string
	now       func() time.Time
}

// RequestTemplates implements reconcileRequester.
func (a *annotationRequester) RequestTemplates(ctx context.Context, id string) (int, error) {
	annotated, err := a.requestTemplatesFrom(ctx, a.reader, id)
	if annotated == 0 && err == nil && a.live != nil {
		return a.requestTemplatesFrom(ctx, a.live, id)
	}
	return annotated, err
}

// requestTemplatesFrom annotates the provider's templates with id as
// reader lists them.
func (a *annotationRequester) requestTemplatesFrom(ctx context.Context, reader client.Reader, id string) (int, error) {
	var list whatsappv1alpha1.MessageTemplateList
	if err := reader.List(ctx, &list, client.InNamespace(a.namespace), client.UnsafeDisableDeepCopy); err != nil {
		return 0, fmt.Errorf("list MessageTemplates: %w", err)
	}
	annotated := 0
	var errs []error
	for i := range list.Items {
		t := &list.Items[i]
		if t.Spec.ProviderRef.Name != a.provider || t.Status.TemplateID != id {
			continue
		}
		obj := &whatsappv1alpha1.MessageTemplate{}
		obj.Namespace, obj.Name = t.Namespace, t.Name
		if err := a.patch(ctx, obj); err != nil {
			errs = append(errs, err) // one refused patch must not keep the others from their nudge
			continue
		}
		annotated++
	}
	return annotated, errors.Join(errs...)
}

// RequestChannel implements reconcileRequester.
func (a *annotationRequester) RequestChannel(ctx context.Context, channel types.NamespacedName) error {
	obj := &whatsappv1alpha1.WhatsAppChannel{}
	obj.Namespace, obj.Name = channel.Namespace, channel.Name
	return a.patch(ctx, obj)
}

// patch sets the annotation to a fresh timestamp with a JSON merge patch:
// no read-modify-write, no conflict with the controller's own writes.
func (a *annotationRequester) patch(ctx context.Context, obj client.Object) error {
	body, err := json.Marshal(map[string]any{
		"metadata": map[string]any{
			"annotations": map[string]string{
				whatsappv1alpha1.ReconcileRequestAnnotation: a.now().UTC().Format(time.RFC3339Nano),
			},
		},
	})
	if err != nil {
		return err
	}
	err = a.writer.Patch(ctx, obj, client.RawPatch(types.MergePatchType, body))
	if client.IgnoreNotFound(err) != nil { // deleted meanwhile: nothing to nudge
		return fmt.Errorf("annotate %s/%s: %w", obj.GetNamespace(), obj.GetName(), err)
	}
	return nil
}
