// Package conditions applies the status semantics that kstatus, Flux,
// Argo CD and `kubectl wait --for=condition=Ready` read (the Flux model):
//
//   - Ready is always present once an object has been seen;
//   - Reconciling and Stalled are present only while True;
//   - status.observedGeneration is written only when the object ended Ready
//     or Stalled (or suspended, suspend.go), so a stale Ready=True never
//     reads as done.
package conditions

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// Setter is an object whose status carries conditions.
type Setter interface {
	GetGeneration() int64
	GetConditions() []metav1.Condition
	SetConditions([]metav1.Condition)
}

// Set sets a condition with the object's generation. A reason is never
// empty (the schema rejects it).
func Set(obj Setter, condType string, status metav1.ConditionStatus, reason, message string) {
	if reason == "" {
		reason = whatsappv1alpha1.ReasonProgressing
	}
	c := obj.GetConditions()
	meta.SetStatusCondition(&c, metav1.Condition{
		Type:               condType,
		Status:             status,
		Reason:             reason,
		Message:            truncate(message),
		ObservedGeneration: obj.GetGeneration(),
	})
	obj.SetConditions(c)
}

// Get returns the condition of a type, or nil.
func Get(obj Setter, condType string) *metav1.Condition {
	return meta.FindStatusCondition(obj.GetConditions(), condType)
}

// IsTrue tells whether a condition is present and True.
func IsTrue(obj Setter, condType string) bool {
	return meta.IsStatusConditionTrue(obj.GetConditions(), condType)
}

// Delete removes a condition.
func Delete(obj Setter, condType string) {
	c := obj.GetConditions()
	meta.RemoveStatusCondition(&c, condType)
	obj.SetConditions(c)
}

// MarkSeen writes Ready=Unknown, Reconciling=True on an object with no
// conditions yet: an object without conditions reads as Current to kstatus.
func MarkSeen(obj Setter) bool {
	if Get(obj, whatsappv1alpha1.ConditionReady) != nil {
		return false
	}
	Set(obj, whatsappv1alpha1.ConditionReady, metav1.ConditionUnknown, whatsappv1alpha1.ReasonProgressing, "Reconciliation in progress")
	Set(obj, whatsappv1alpha1.ConditionReconciling, metav1.ConditionTrue, whatsappv1alpha1.ReasonProgressing, "Reconciliation in progress")
	return true
}

// MarkReady sets Ready=True and clears Reconciling and Stalled.
func MarkReady(obj Setter, message string) {
	Set(obj, whatsappv1alpha1.ConditionReady, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded, message)
	Delete(obj, whatsappv1alpha1.ConditionReconciling)
	Delete(obj, whatsappv1alpha1.ConditionStalled)
}

// MarkReconciling sets Reconciling=True and Ready=False with the same
// reason, and clears Stalled.
func MarkReconciling(obj Setter, reason, message string) {
	Set(obj, whatsappv1alpha1.ConditionReconciling, metav1.ConditionTrue, reason, message)
	Set(obj, whatsappv1alpha1.ConditionReady, metav1.ConditionFalse, reason, message)
	Delete(obj, whatsappv1alpha1.ConditionStalled)
}

// MarkNotReady sets Ready=False and clears Reconciling and Stalled: the
// object waits for something outside it (a provider, a retry).
func MarkNotReady(obj Setter, reason, message string) {
	Set(obj, whatsappv1alpha1.ConditionReady, metav1.ConditionFalse, reason, message)
	Delete(obj, whatsappv1alpha1.ConditionReconciling)
	Delete(obj, whatsappv1alpha1.ConditionStalled)
}

// MarkStalled sets Stalled=True and Ready=False with the same reason and
// clears Reconciling: a human must act; the message says what to do.
func MarkStalled(obj Setter, reason, message string) {
	Set(obj, whatsappv1alpha1.ConditionStalled, metav1.ConditionTrue, reason, message)
	Set(obj, whatsappv1alpha1.ConditionReady, metav1.ConditionFalse, reason, message)
	Delete(obj, whatsappv1alpha1.ConditionReconciling)
}

// Final tells whether the object ended in a state where
// status.observedGeneration may be written: Ready=True, Stalled=True, or
// suspended (the operator has done all a suspended spec asks: nothing).
func Final(obj Setter) bool {
	return IsTrue(obj, whatsappv1alpha1.ConditionReady) || IsTrue(obj, whatsappv1alpha1.ConditionStalled) || Suspended(obj)
}

// maxMessage keeps condition messages within the API's 32 KiB limit.
const maxMessage = 4096

func truncate(s string) string {
	if len(s) <= maxMessage {
		return s
	}
	return s[:maxMessage-3] + "..."
}
