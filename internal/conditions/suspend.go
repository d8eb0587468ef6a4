package conditions

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// Suspension (spec.suspend) as kstatus, Flux, Argo CD and the operator's
// own readers see it (docs/decisions/027-suspend.md):
//
//   - Ready keeps the status it had, so the provider's channels and
//     templates, the webhook server's routes and the relay's senders
//     carry on; its reason becomes Suspended and its message says what
//     the last reconcile found;
//   - Reconciling goes: nothing is under way; Stalled stays as it was: the
//     problem a human must fix is still there;
//   - a suspended object is final (status.observedGeneration follows the
//     generation): kstatus reads it as its conditions say — Current when
//     it was Ready, Failed when Stalled, InProgress otherwise — rather
//     than "generation not observed yet".

// suspendedMessage starts Ready's message while suspended.
const suspendedMessage = "Suspended by spec.suspend: the operator makes no Graph API call and changes nothing for this object until spec.suspend is false again"

// resumedMessage is the progress message of the first reconcile after a
// suspension.
const resumedMessage = "Resumed: reconciliation in progress"

// MarkSuspended records that spec.suspend holds. The first time, Ready's
// message keeps the reason and message it had ("not reconciled yet" when
// it had none that says more); later calls only refresh the conditions'
// generation.
func MarkSuspended(obj Setter) {
	ready := Get(obj, whatsappv1alpha1.ConditionReady)
	switch {
	case ready != nil && ready.Reason == whatsappv1alpha1.ReasonSuspended:
		Set(obj, whatsappv1alpha1.ConditionReady, ready.Status, ready.Reason, ready.Message)
	case ready == nil || ready.Status == metav1.ConditionUnknown:
		Set(obj, whatsappv1alpha1.ConditionReady, metav1.ConditionUnknown, whatsappv1alpha1.ReasonSuspended,
			suspendedMessage+". Not reconciled yet.")
	default:
		Set(obj, whatsappv1alpha1.ConditionReady, ready.Status, whatsappv1alpha1.ReasonSuspended,
			suspendedMessage+". When suspended, Ready was "+string(ready.Status)+" ("+ready.Reason+"): "+ready.Message)
	}
	Delete(obj, whatsappv1alpha1.ConditionReconciling)
}

// MarkResumed starts the first reconcile after a suspension: Reconciling
// is True and Ready keeps its status (the reconcile that follows decides
// it) with reason Progressing. It reports whether the object was
// suspended.
func MarkResumed(obj Setter) bool {
	if !Suspended(obj) {
		return false
	}
	ready := Get(obj, whatsappv1alpha1.ConditionReady)
	Set(obj, whatsappv1alpha1.ConditionReady, ready.Status, whatsappv1alpha1.ReasonProgressing, resumedMessage)
	Set(obj, whatsappv1alpha1.ConditionReconciling, metav1.ConditionTrue, whatsappv1alpha1.ReasonProgressing, resumedMessage)
	return true
}

// Suspended tells whether the object's conditions say it is suspended:
// Ready has reason Suspended.
func Suspended(obj Setter) bool {
	ready := Get(obj, whatsappv1alpha1.ConditionReady)
	return ready != nil && ready.Reason == whatsappv1alpha1.ReasonSuspended
}
