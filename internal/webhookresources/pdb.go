package webhookresources

import (
	"context"
	"fmt"

	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	policyv1ac "k8s.io/client-go/applyconfigurations/policy/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const (
	errGetPDB    = "cannot get webhook PodDisruptionBudget %s/%s"
	errDeletePDB = "cannot delete webhook PodDisruptionBudget %s/%s"
)

// wantsPodDisruptionBudget reports whether t gets a PodDisruptionBudget: only
// with more than one replica, since minAvailable 1 of 1 would block every
// node drain.
func wantsPodDisruptionBudget(t target) bool { return t.replicas > 1 }

// podDisruptionBudget keeps at least one webhook pod through voluntary
// disruptions. Unhealthy pods may always be evicted, so a crash-looping pod
// never blocks a drain.
func podDisruptionBudget(t target) *policyv1ac.PodDisruptionBudgetApplyConfiguration {
	return policyv1ac.PodDisruptionBudget(t.name, t.namespace).
		WithLabels(t.labels()).
		WithOwnerReferences(t.ownerReference()).
		WithSpec(policyv1ac.PodDisruptionBudgetSpec().
			WithMinAvailable(intstr.FromInt32(1)).
			WithSelector(t.labelSelector()).
			WithUnhealthyPodEvictionPolicy(policyv1.AlwaysAllow))
}

// deleteStalePodDisruptionBudget deletes t's PodDisruptionBudget, left from
// when the provider ran more than one replica. A budget of the same name that
// the provider does not control is left alone.
func deleteStalePodDisruptionBudget(ctx context.Context, c client.Client, t target) error {
	pdb := &policyv1.PodDisruptionBudget{}
	err := c.Get(ctx, client.ObjectKey{Namespace: t.namespace, Name: t.name}, pdb)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf(errGetPDB+": %w", t.namespace, t.name, err)
	}
	if owner := metav1.GetControllerOf(pdb); owner == nil || owner.UID != t.ownerUID {
		return nil
	}
	err = c.Delete(ctx, pdb, client.Preconditions{UID: &pdb.UID})
	if err = client.IgnoreNotFound(err); err != nil {
		return fmt.Errorf(errDeletePDB+": %w", t.namespace, t.name, err)
	}
	return nil
}
