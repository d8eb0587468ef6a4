package controllers

import (
	"errors"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/workload"
)

// conflictRecheck is how soon a provider blocked by an object it does not
// control looks again: deleting a user's object of the name makes no event
// the operator watches (its cache sees only objects with its label).
const conflictRecheck = time.Minute

// workloadClients are the cached client and the API server reader the
// workload packages need.
func (s *providerSync) workloadClients() workload.Clients {
	return workload.Clients{Client: s.client, Live: s.apiReader}
}

// workloadFailure turns a failure to apply a workload's objects (what:
// "webhook server", "relay") into the condition condType and an outcome:
//   - an object of that name the provider does not control: Conflict,
//     waiting for a human to delete or rename it (nothing of it was
//     touched), re-checked every conflictRecheck;
//   - a provider name that cannot name the objects: permanent;
//   - anything else (the API server): retried with backoff.
func (s *providerSync) workloadFailure(condType, waitReason, what string, err error) error {
	p := s.p
	var nc *workload.NotControlledError
	switch {
	case errors.As(err, &nc):
		msg := nc.Error()
		conditions.Set(p, condType, metav1.ConditionFalse, whatsappv1alpha1.ReasonConflict, msg)
		return &waitForUser{reason: whatsappv1alpha1.ReasonConflict, message: msg, recheck: jitter(conflictRecheck)}
	case errors.Is(err, workload.ErrInvalidProviderName):
		msg := "cannot name the " + what + "'s objects: " + err.Error()
		conditions.Set(p, condType, metav1.ConditionFalse, waitReason, msg)
		return &permanent{reason: waitReason, message: msg}
	}
	msg := "cannot apply the " + what + "'s objects: " + err.Error()
	conditions.Set(p, condType, metav1.ConditionFalse, waitReason, msg)
	return &retryLater{reason: waitReason, message: msg, cause: err}
}
