package webhookresources

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
)

// reasonProgressDeadlineExceeded is the Deployment controller's reason on the
// Progressing condition when a rollout stopped making progress.
const reasonProgressDeadlineExceeded = "ProgressDeadlineExceeded"

// observeDeployment fills res from the Deployment as the API server returned
// it from the apply: ready replicas, and whether the rollout is stuck (the
// Deployment controller gave up progressing, or cannot create pods).
func observeDeployment(d *appsv1ac.DeploymentApplyConfiguration, t target, res *Result) {
	var stalled, replicaFailure string
	if s := d.Status; s != nil {
		if s.ReadyReplicas != nil {
			res.ReadyReplicas = *s.ReadyReplicas
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
	res.Ready = res.ReadyReplicas >= 1 && stalled == ""
	res.Message = fmt.Sprintf("Deployment %s/%s: %d/%d replicas ready", t.namespace, t.name, res.ReadyReplicas, res.DesiredReplicas)
	if stalled != "" {
		res.Message += "; rollout stalled: " + stalled
	}
	if replicaFailure != "" {
		res.Message += "; cannot create pods: " + replicaFailure
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
