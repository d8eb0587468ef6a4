package controllers

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// Submission backoff, kept in status so it survives restarts.
const (
	submitBackoffBase = 5 * time.Second
	submitBackoffMax  = time.Hour
)

// Reconcile brings one MessageTemplate to its spec.
func (r *MessageTemplateReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	t := &whatsappv1alpha1.MessageTemplate{}
	if err := r.client.Get(ctx, req.NamespacedName, t); err != nil {
		return ctrl.Result{}, ignoreNotFound(err)
	}
	if !t.DeletionTimestamp.IsZero() {
		return r.finalize(ctx, t)
	}
	before := t.DeepCopy()
	conditions.MarkSeen(t)
	res, err := r.sync(ctx, t)
	if serr := r.finishStatus(ctx, t, before, err); serr != nil && err == nil {
		err = serr
	}
	return res, err
}

func (r *MessageTemplateReconciler) sync(ctx context.Context, t *whatsappv1alpha1.MessageTemplate) (ctrl.Result, error) {
	p, creds, ok, err := r.readyProvider(ctx, t, t.Spec.ProviderRef.Name)
	if !ok {
		return ctrl.Result{}, err
	}
	interval := syncInterval(p)
	waba := p.Spec.BusinessAccountID
	gc := r.graphClient(p, creds)
	desired := desiredTemplate(t)
	hash := contentHash(desired)
	t.Status.Name = desired.Name

	if holder, err := r.olderTwin(ctx, t); err != nil {
		return ctrl.Result{}, err
	} else if holder != "" {
		msg := fmt.Sprintf("template %s (%s) is already described by MessageTemplate %s: delete one of the two (this one is left alone until then)", desired.Name, desired.Language, holder)
		conditions.Set(t, whatsappv1alpha1.ConditionSubmitted, metav1.ConditionFalse, whatsappv1alpha1.ReasonConflict, msg)
		conditions.MarkStalled(t, whatsappv1alpha1.ReasonConflict, msg)
		return ctrl.Result{}, nil
	}

	live, res, err, ok := r.findLive(ctx, t, gc, waba, interval)
	if !ok {
		return res, err
	}
	if live == nil {
		if live, res, err, ok = r.submit(ctx, t, gc, waba, desired, hash, interval); !ok {
			return res, err
		}
	}
	t.Status.TemplateID = live.ID
	if err := r.ensureFinalizer(ctx, t); err != nil {
		return ctrl.Result{}, err
	}
	if t.Status.ContentHash != hash && metaHolds(live, desired) {
		// Adopted, created or edited just before a restart: Meta already
		// holds this spec, and an edit would only spend Meta's edit budget.
		t.Status.ContentHash = hash
	}
	if t.Status.ContentHash != hash {
		if live, res, err, ok = r.edit(ctx, t, gc, waba, live, desired, hash, interval); !ok {
			return res, err
		}
	}
	conditions.Set(t, whatsappv1alpha1.ConditionSubmitted, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded,
		fmt.Sprintf("template %s (%s) is %s at Meta", desired.Name, desired.Language, live.ID))
	return r.judgeStatus(t, live, interval), nil
}

// findLive returns the template as Meta holds it, or nil when Meta has none.
// The shared listing answers first; before any create, Meta is asked by exact
// name and language, so a restart between Meta's answer and the status
// write never creates a second template.
func (r *MessageTemplateReconciler) findLive(ctx context.Context, t *whatsappv1alpha1.MessageTemplate, gc *graph.Client, waba string, interval time.Duration) (*graph.Template, ctrl.Result, error, bool) {
	list, err := r.listings.templateList(ctx, gc, waba, r.templateListingAge(t, interval))
	if err != nil {
		res, err := graphFailure(t, err, whatsappv1alpha1.ReasonGraphAPIError, interval)
		return nil, res, err, false
	}
	name, lang := t.TemplateName(), t.Spec.Language
	for i := range list {
		l := &list[i]
		if (t.Status.TemplateID != "" && l.ID == t.Status.TemplateID) || (l.Name == name && l.Language == lang) {
			return l, ctrl.Result{}, nil, true
		}
	}
	if t.Status.TemplateID != "" {
		r.event(t, false, "DeletedAtMeta", fmt.Sprintf("template %s (%s), id %s, is gone from WhatsApp Business Account %s: submitting it again", name, lang, t.Status.TemplateID, waba))
		t.Status.TemplateID, t.Status.ContentHash, t.Status.ApprovalStatus = "", "", ""
	}
	found, err := gc.FindTemplate(ctx, waba, name, lang)
	if err != nil {
		res, err := graphFailure(t, err, whatsappv1alpha1.ReasonGraphAPIError, interval)
		return nil, res, err, false
	}
	return found, ctrl.Result{}, nil, true
}

// submit creates the template at Meta, with a backoff kept in status.
func (r *MessageTemplateReconciler) submit(ctx context.Context, t *whatsappv1alpha1.MessageTemplate, gc *graph.Client, waba string,
	desired graph.TemplateSpec, hash string, interval time.Duration) (*graph.Template, ctrl.Result, error, bool) {
	if c := conditions.Get(t, whatsappv1alpha1.ConditionSubmitted); c != nil && c.Reason == whatsappv1alpha1.ReasonTemplateInvalid &&
		c.ObservedGeneration == t.Generation && conditions.IsTrue(t, whatsappv1alpha1.ConditionStalled) {
		// Meta refused this very spec: sending it again cannot help. A spec
		// change (a new generation) resubmits.
		return nil, ctrl.Result{}, nil, false
	}
	if wait := r.submitWait(t); wait > 0 {
		msg := fmt.Sprintf("submission failed %d time(s); next attempt in %s", t.Status.SubmitAttempts, wait.Round(time.Second))
		if c := conditions.Get(t, whatsappv1alpha1.ConditionSubmitted); c != nil && c.Message != "" {
			msg = c.Message + " (" + msg + ")"
		}
		if !conditions.IsTrue(t, whatsappv1alpha1.ConditionStalled) {
			conditions.MarkReconciling(t, whatsappv1alpha1.ReasonGraphAPIError, msg)
		}
		return nil, ctrl.Result{RequeueAfter: wait}, nil, false
	}
	// The finalizer goes on before the template exists at Meta.
	if err := r.ensureFinalizer(ctx, t); err != nil {
		return nil, ctrl.Result{}, err, false
	}
	created, err := gc.CreateTemplate(ctx, waba, desired)
	if err != nil {
		t.Status.SubmitAttempts++
		now := metav1.NewTime(r.now())
		t.Status.LastSubmitFailureTime = &now
		if graph.IsTemplateExists(err) {
			// Created meanwhile by someone else (or a lost answer): the
			// next pass adopts it, after the submission backoff, so a
			// lookup that cannot see it does not turn into a loop.
			msg := fmt.Sprintf("Meta says template %s (%s) already exists; adopting it", desired.Name, desired.Language)
			conditions.Set(t, whatsappv1alpha1.ConditionSubmitted, metav1.ConditionFalse, whatsappv1alpha1.ReasonProgressing, msg)
			conditions.MarkReconciling(t, whatsappv1alpha1.ReasonProgressing, msg)
			return nil, ctrl.Result{RequeueAfter: r.submitWait(t)}, nil, false
		}
		msg := graph.Describe(err)
		switch graph.Classify(err) {
		case graph.ClassTemplate, graph.ClassNotFound, graph.ClassPermanent:
			// Meta refused this content: permanent for this spec, no retry
			// until it changes.
			conditions.Set(t, whatsappv1alpha1.ConditionSubmitted, metav1.ConditionFalse, whatsappv1alpha1.ReasonTemplateInvalid, msg)
			conditions.MarkStalled(t, whatsappv1alpha1.ReasonTemplateInvalid, msg)
			return nil, ctrl.Result{}, nil, false
		}
		res, rerr := graphFailure(t, err, whatsappv1alpha1.ReasonGraphAPIError, interval)
		conditions.Set(t, whatsappv1alpha1.ConditionSubmitted, metav1.ConditionFalse, conditions.Get(t, whatsappv1alpha1.ConditionReady).Reason, msg)
		return nil, res, rerr, false
	}
	t.Status.SubmitAttempts, t.Status.LastSubmitFailureTime = 0, nil
	t.Status.ContentHash = hash
	live := graph.Template{
		ID: created.ID, Name: desired.Name, Language: desired.Language, Status: created.Status,
		Category: created.Category, ParameterFormat: desired.ParameterFormat, Components: desired.Components,
	}
	r.listings.putTemplate(waba, live)
	r.event(t, true, "Submitted", fmt.Sprintf("submitted template %s (%s) to Meta as id %s, status %s", desired.Name, desired.Language, created.ID, created.Status))
	return &live, ctrl.Result{}, nil, true
}

// submitWait is how long to wait before the next submission. Attempts
// count for the generation that failed; a spec change resets them.
func (r *MessageTemplateReconciler) submitWait(t *whatsappv1alpha1.MessageTemplate) time.Duration {
	c := conditions.Get(t, whatsappv1alpha1.ConditionSubmitted)
	if t.Status.SubmitAttempts == 0 || t.Status.LastSubmitFailureTime == nil || c == nil || c.ObservedGeneration != t.Generation {
		t.Status.SubmitAttempts, t.Status.LastSubmitFailureTime = 0, nil
		return 0
	}
	backoff := submitBackoffBase << min(t.Status.SubmitAttempts-1, 10)
	if backoff > submitBackoffMax {
		backoff = submitBackoffMax
	}
	return t.Status.LastSubmitFailureTime.Add(backoff).Sub(r.now())
}

// templateListingAge: on a reconcile request a few seconds; for a template
// in review its polling interval; otherwise the provider's syncInterval.
func (r *MessageTemplateReconciler) templateListingAge(t *whatsappv1alpha1.MessageTemplate, interval time.Duration) time.Duration {
	age := r.listingAge(t, interval)
	if reviewing(t.Status.ApprovalStatus) {
		age = min(age, r.pendingPoll(t, interval))
	}
	return age
}

// ensureFinalizer adds the finalizer to a template Meta holds (or is about
// to) when deletionPolicy is Delete, and removes it under Orphan: adopted
// templates and policy changes are covered, not only creations.
func (r *MessageTemplateReconciler) ensureFinalizer(ctx context.Context, t *whatsappv1alpha1.MessageTemplate) error {
	want := t.Spec.DeletionPolicy != whatsappv1alpha1.DeletionPolicyOrphan
	if want == controllerutil.ContainsFinalizer(t, whatsappv1alpha1.Finalizer) {
		return nil
	}
	if want {
		return r.addFinalizer(ctx, t)
	}
	return r.removeFinalizer(ctx, t)
}

// olderTwin names an older MessageTemplate of the namespace for the same
// Meta template (provider, name, language), or returns "": two objects
// editing one template would overwrite each other. The oldest wins.
func (r *MessageTemplateReconciler) olderTwin(ctx context.Context, t *whatsappv1alpha1.MessageTemplate) (string, error) {
	others, err := r.sameTemplate(ctx, t)
	if err != nil {
		return "", err
	}
	for _, o := range others {
		if olderThan(&o, t) {
			return o.Name, nil
		}
	}
	return "", nil
}
