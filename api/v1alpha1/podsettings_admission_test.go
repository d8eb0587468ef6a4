package v1alpha1_test

import (
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// fullPodSettings is every pod setting, as a platform team writes them.
func fullPodSettings() map[string]any {
	return map[string]any{
		"resources": map[string]any{
			"requests": map[string]any{"cpu": "100m", "memory": "128Mi"},
			"limits":   map[string]any{"memory": "512Mi"},
		},
		"nodeSelector":      map[string]any{"kubernetes.io/os": "linux", "node.example.com/pool": "edge"},
		"tolerations":       []any{map[string]any{"key": "dedicated", "operator": "Equal", "value": "edge", "effect": "NoSchedule"}},
		"affinity":          map[string]any{"nodeAffinity": map[string]any{"requiredDuringSchedulingIgnoredDuringExecution": map[string]any{"nodeSelectorTerms": []any{map[string]any{"matchExpressions": []any{map[string]any{"key": "topology.kubernetes.io/zone", "operator": "In", "values": []any{"eu-west-1a", "eu-west-1b"}}}}}}}},
		"priorityClassName": "system-cluster-critical",
		"annotations":       map[string]any{"example.com/team": "support", "cluster-autoscaler.kubernetes.io/safe-to-evict": "true"},
		"labels":            map[string]any{"example.com/cost-center": "42", "team": "support"},
	}
}

func TestPodSettingsAreAccepted(t *testing.T) {
	for _, field := range []string{"spec.webhook.pod", "spec.relay.pod"} {
		obj := sample(t, "whatsapp_v1alpha1_metaprovider.yaml")
		set(field, fullPodSettings())(obj.Object)
		if err := dryRunCreate(obj); err != nil {
			t.Errorf("%s with every setting rejected: %v", field, err)
		}
	}
}

// TestPodSettingsThatWouldBreakThePodsAreRejected: what a namespace team
// may not do to the pods the operator runs — take over their selector
// labels, loosen their hardening, starve them — is refused at admission
// with a message naming the field.
func TestPodSettingsThatWouldBreakThePodsAreRejected(t *testing.T) {
	cases := map[string]struct {
		reason string
		field  string
		value  any
		wantIn []string
	}{
		"selector label": {
			reason: "app.kubernetes.io/instance selects the pods: changing it orphans them from Deployment, Service and NetworkPolicy",
			field:  "spec.webhook.pod.labels", value: map[string]any{"app.kubernetes.io/instance": "other"},
			wantIn: []string{"spec.webhook.pod.labels", "app.kubernetes.io/instance", "select the pods"},
		},
		"managed-by label": {
			reason: "managed-by selects what the operator caches and monitors",
			field:  "spec.relay.pod.labels", value: map[string]any{"app.kubernetes.io/managed-by": "me"},
			wantIn: []string{"spec.relay.pod.labels"},
		},
		"operator prefix label": {
			reason: "the whatsapp.kubechat.io/ prefix is the operator's",
			field:  "spec.webhook.pod.labels", value: map[string]any{"whatsapp.kubechat.io/provider": "x"},
			wantIn: []string{"spec.webhook.pod.labels"},
		},
		"label value": {
			reason: "a value the pod would refuse fails here, with the field, not later in the Deployment",
			field:  "spec.webhook.pod.labels", value: map[string]any{"team": "not a label value"},
			wantIn: []string{"spec.webhook.pod.labels"},
		},
		"label key": {
			reason: "a key the pod would refuse",
			field:  "spec.webhook.pod.labels", value: map[string]any{"bad key!": "x"},
			wantIn: []string{"spec.webhook.pod.labels", "label key"},
		},
		"apparmor annotation": {
			reason: "an AppArmor annotation could run the container unconfined",
			field:  "spec.webhook.pod.annotations", value: map[string]any{"container.apparmor.security.beta.kubernetes.io/webhook-server": "unconfined"},
			wantIn: []string{"spec.webhook.pod.annotations", "hardening"},
		},
		"seccomp annotation": {
			reason: "a seccomp annotation could lift the RuntimeDefault profile",
			field:  "spec.relay.pod.annotations", value: map[string]any{"seccomp.security.alpha.kubernetes.io/pod": "unconfined"},
			wantIn: []string{"spec.relay.pod.annotations"},
		},
		"too many labels": {
			reason: "maps are bounded",
			field:  "spec.webhook.pod.labels", value: manyLabels(33),
			wantIn: []string{"spec.webhook.pod.labels", "32"},
		},
		"too many tolerations": {
			reason: "lists are bounded",
			field:  "spec.relay.pod.tolerations", value: manyTolerations(17),
			wantIn: []string{"spec.relay.pod.tolerations", "16"},
		},
		"starved memory": {
			reason: "under 64Mi the Go runtime's soft limit leaves the server nothing",
			field:  "spec.webhook.pod.resources", value: map[string]any{"limits": map[string]any{"memory": "32Mi"}},
			wantIn: []string{"spec.webhook.pod.resources", "at least 64Mi"},
		},
		"requests above limits": {
			reason: "the Deployment would be refused later, with a message far from the provider",
			field:  "spec.relay.pod.resources", value: map[string]any{"requests": map[string]any{"memory": "1Gi"}, "limits": map[string]any{"memory": "512Mi"}},
			wantIn: []string{"spec.relay.pod.resources", "requests.memory must not exceed limits.memory"},
		},
		"not a quantity": {
			reason: "a quantity Kubernetes cannot read",
			field:  "spec.relay.pod.resources", value: map[string]any{"requests": map[string]any{"cpu": "lots"}},
			wantIn: []string{"spec.relay.pod.resources.requests.cpu", "quantity"},
		},
		"priority class name": {
			reason: "a name the API server would refuse",
			field:  "spec.webhook.pod.priorityClassName", value: "Not_A_Name",
			wantIn: []string{"spec.webhook.pod.priorityClassName"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			obj := sample(t, "whatsapp_v1alpha1_metaprovider.yaml")
			set(tc.field, tc.value)(obj.Object)
			err := dryRunCreate(obj)
			if err == nil {
				t.Fatalf("accepted; want rejection (%s)", tc.reason)
			}
			if !apierrors.IsInvalid(err) {
				t.Fatalf("want an Invalid error (%s), got %v", tc.reason, err)
			}
			for _, want := range tc.wantIn {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not mention %q (%s):\n%v", want, tc.reason, err)
				}
			}
		})
	}
}

func manyLabels(n int) map[string]any {
	m := map[string]any{}
	for i := range n {
		m["example.com/l"+string(rune('a'+i%26))+string(rune('a'+i/26))] = "x"
	}
	return m
}

func manyTolerations(n int) []any {
	var out []any
	for range n {
		out = append(out, map[string]any{"key": "k", "operator": "Exists"})
	}
	return out
}
