package workload

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
	errGetPDB    = "cannot get PodDisruptionBudget %s/%s"
	errDeletePDB = "cannot delete PodDisruptionBudget %s/%s"
)

// WantsPodDisruptionBudget reports whether a workload of replicas gets a
// PodDisruptionBudget: only with more than one replica, since minAvailable
// 1 of 1 would block every node drain.
func WantsPodDisruptionBudget(replicas int32) bool { return replicas > 1 }

// PodDisruptionBudget keeps at least one of the selected pods through
// voluntary disruptions. Unhealthy pods may always be evicted, so a
// crash-looping pod never blocks a drain.
func PodDisruptionBudget(name, namespace string, owner Owner, labels, selector map[string]string) *policyv1ac.PodDisruptionBudgetApplyConfiguration {
	return policyv1ac.PodDisruptionBudget(name, namespace).
		WithLabels(labels).
		WithOwnerReferences(owner.Reference()).
		WithSpec(policyv1ac.PodDisruptionBudgetSpec().
			WithMinAvailable(intstr.FromInt32(1)).
			WithSelector(LabelSelector(selector)).
			WithUnhealthyPodEvictionPolicy(policyv1.AlwaysAllow))
}

// PodDisruptionBudgetObject is the Apply entry of PodDisruptionBudget.
func PodDisruptionBudgetObject(name, namespace string, owner Owner, labels, selector map[string]string) Object {
	return Object{
		Kind: "PodDisruptionBudget", Namespace: namespace, Name: name,
		Config: PodDisruptionBudget(name, namespace, owner, labels, selector),
		New:    func() client.Object { return &policyv1.PodDisruptionBudget{} },
	}
}

// DeleteStalePodDisruptionBudget deletes the budget called name, left from
// when the workload ran more than one replica. A budget of the same name
// that owner does not control is left alone.
func DeleteStalePodDisruptionBudget(ctx context.Context, c client.Client, owner Owner, namespace, name string) error {
	pdb := &policyv1.PodDisruptionBudget{}
	err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, pdb)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf(errGetPDB+": %w", namespace, name, err)
	}
	if ctl := metav1.GetControllerOf(pdb); ctl == nil || ctl.UID != owner.UID {
		return nil
	}
	err = c.Delete(ctx, pdb, client.Preconditions{UID: &pdb.UID})
	if err = client.IgnoreNotFound(err); err != nil {
		return fmt.Errorf(errDeletePDB+": %w", namespace, name, err)
	}
	return nil
}
