package controllers

import (
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
)

// specOrRequestChanged passes creations, deletions, spec changes
// (generation), finalizer-driven deletion updates, and a changed
// reconcile-request or adopt annotation; it drops the controller's own
// status writes, so a reconcile never wakes itself.
func specOrRequestChanged() predicate.Predicate {
	return predicate.Or(
		predicate.GenerationChangedPredicate{},
		predicate.Funcs{
			UpdateFunc: func(e event.UpdateEvent) bool {
				if e.ObjectOld == nil || e.ObjectNew == nil {
					return false
				}
				for _, key := range []string{whatsappv1alpha1.ReconcileRequestAnnotation, whatsappv1alpha1.AdoptAnnotation} {
					if e.ObjectOld.GetAnnotations()[key] != e.ObjectNew.GetAnnotations()[key] {
						return true
					}
				}
				return e.ObjectOld.GetDeletionTimestamp().IsZero() != e.ObjectNew.GetDeletionTimestamp().IsZero()
			},
		},
	)
}

// providerReadinessChanged passes provider updates that matter to its
// channels and templates: Ready flipping, or the spec changing.
func providerReadinessChanged() predicate.Predicate {
	return predicate.Funcs{
		CreateFunc:  func(event.CreateEvent) bool { return true },
		DeleteFunc:  func(event.DeleteEvent) bool { return true },
		GenericFunc: func(event.GenericEvent) bool { return false },
		UpdateFunc: func(e event.UpdateEvent) bool {
			oldP, ok1 := e.ObjectOld.(*whatsappv1alpha1.MetaProvider)
			newP, ok2 := e.ObjectNew.(*whatsappv1alpha1.MetaProvider)
			if !ok1 || !ok2 {
				return false
			}
			return oldP.Generation != newP.Generation ||
				conditions.IsTrue(oldP, whatsappv1alpha1.ConditionReady) != conditions.IsTrue(newP, whatsappv1alpha1.ConditionReady)
		},
	}
}
