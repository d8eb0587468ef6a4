package workload

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
)

// reasonProgressDeadlineExceeded is the Deployment controller's reason on the
// Progressing condition when a rollout stopped making progress.
const reasonProgressDeadlineExceeded = "ProgressDeadlineExceeded"

// Readiness is a workload's Deployment as a condition reads it.
type Readiness struct {
	// ServiceName is the Service in front of the pods, for status.
	ServiceName string
	// DesiredReplicas is the Deployment size Apply asked for.
	DesiredReplicas int32
	// ReadyReplicas is the Deployment's status.readyReplicas.
	ReadyReplicas int32
	// Ready is true when at least one replica is ready and the rollout has
	// not exceeded its progress deadline.
	Ready bool
	// Message says how many replicas are ready and, when not Ready, why.
	Message string
}

// ObserveDeployment fills r from the Deployment as the API server returned
// it from the apply: ready replicas, and whether the rollout is stuck (the
// Deployment controller gave up progressing, or cannot create pods).
func ObserveDeployment(d *appsv1ac.DeploymentApplyConfiguration, r *Readiness) {
	var stalled, replicaFailure string
	if s := d.Status; s != nil {
		if s.ReadyReplicas != nil {
			r.ReadyReplicas = *s.ReadyReplicas
		}
		for _, c := range s.Conditions {
			if c.Type == nil || c.Status == nil {
				continue
			}
			switch {
			case *c.Type == appsv1.DeploymentProgressing && *c.Status == corev1.ConditionFalse &&
				c.Reason != nil && *c.Reason == reasonProgressDeadlineExceeded:
				stalled = deref(c.Message)
			case *c.Type == appsv1.DeploymentReplicaFailure && *c.Status == corev1.ConditionTrue:
				replicaFailure = deref(c.Message)
			}
		}
	}
	r.Ready = r.ReadyReplicas >= 1 && stalled == ""
	r.Message = fmt.Sprintf("Deployment %s/%s: %d/%d replicas ready", deref(d.Namespace), deref(d.Name), r.ReadyReplicas, r.DesiredReplicas)
	if stalled != "" {
		r.Message += "; rollout stalled: " + stalled
	}
	if replicaFailure != "" {
		r.Message += "; cannot create pods: " + replicaFailure
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
