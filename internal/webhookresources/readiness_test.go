package webhookresources

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// TestApplyReportsReadiness writes the Deployment status a Deployment
// controller would (envtest runs none, and no kubelet) and checks what Apply
// reports from it.
func TestApplyReportsReadiness(t *testing.T) {
	progressing := func(status corev1.ConditionStatus, reason, msg string) appsv1.DeploymentCondition {
		return appsv1.DeploymentCondition{Type: appsv1.DeploymentProgressing, Status: status, Reason: reason, Message: msg}
	}
	cases := map[string]struct {
		reason string
		status appsv1.DeploymentStatus
		want   Result
	}{
		"NoPodReady": {
			reason: "pods exist but none is ready: not Ready",
			status: appsv1.DeploymentStatus{Replicas: 2,
				Conditions: []appsv1.DeploymentCondition{progressing(corev1.ConditionTrue, "ReplicaSetUpdated", "")}},
			want: Result{DesiredReplicas: 2, Message: "0/2 replicas ready"},
		},
		"OneOfTwoReady": {
			reason: "one ready replica can serve Meta: Ready",
			status: appsv1.DeploymentStatus{Replicas: 2, ReadyReplicas: 1,
				Conditions: []appsv1.DeploymentCondition{progressing(corev1.ConditionTrue, "ReplicaSetUpdated", "")}},
			want: Result{DesiredReplicas: 2, ReadyReplicas: 1, Ready: true, Message: "1/2 replicas ready"},
		},
		"AllReady": {
			reason: "every replica ready, rollout complete",
			status: appsv1.DeploymentStatus{Replicas: 2, ReadyReplicas: 2, AvailableReplicas: 2,
				Conditions: []appsv1.DeploymentCondition{progressing(corev1.ConditionTrue, "NewReplicaSetAvailable", "")}},
			want: Result{DesiredReplicas: 2, ReadyReplicas: 2, Ready: true, Message: "2/2 replicas ready"},
		},
		"RolloutStalled": {
			reason: "a rollout past its progress deadline is not Ready even with old pods serving, and says why",
			status: appsv1.DeploymentStatus{Replicas: 3, ReadyReplicas: 2,
				Conditions: []appsv1.DeploymentCondition{progressing(corev1.ConditionFalse, "ProgressDeadlineExceeded",
					`ReplicaSet "acme-webhook-5d8f" has timed out progressing.`)}},
			want: Result{DesiredReplicas: 2, ReadyReplicas: 2,
				Message: `2/2 replicas ready; rollout stalled: ReplicaSet "acme-webhook-5d8f" has timed out progressing.`},
		},
		"CannotCreatePods": {
			reason: "a quota that forbids the pods is named in the message",
			status: appsv1.DeploymentStatus{Conditions: []appsv1.DeploymentCondition{{
				Type: appsv1.DeploymentReplicaFailure, Status: corev1.ConditionTrue, Reason: "FailedCreate",
				Message: "pods \"acme-webhook-x\" is forbidden: exceeded quota: compute",
			}}},
			want: Result{DesiredReplicas: 2,
				Message: "0/2 replicas ready; cannot create pods: pods \"acme-webhook-x\" is forbidden: exceeded quota: compute"},
		},
	}
	ctx := context.Background()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := createProvider(t, withReplicas(2))
			mustApply(t, p)
			dep := mustGet(t, p, &appsv1.Deployment{})
			dep.Status = tc.status
			if err := env.Client.Status().Update(ctx, dep); err != nil {
				t.Fatalf("write Deployment status: %v", err)
			}
			tc.want.ServiceName = "acme-webhook"
			tc.want.Message = "Deployment " + p.Namespace + "/acme-webhook: " + tc.want.Message
			if diff := cmp.Diff(tc.want, mustApply(t, p)); diff != "" {
				t.Errorf("%s\nResult (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}
