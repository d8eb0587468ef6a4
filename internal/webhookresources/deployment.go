package webhookresources

import (
	"strconv"
	"strings"

	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/kubechat/whatsapp-operator/internal/workload"
)

// Pod sizing and timing of the webhook server.
const (
	// terminationGracePeriodSeconds lets in-flight deliveries finish: Meta
	// waits for our answer, and a delivery that is cut off is retried by Meta
	// anyway, so this bounds the wait rather than guaranteeing completion.
	terminationGracePeriodSeconds int64 = 30
	// memoryLimitMiB: the server's body-read budget is a quarter of the
	// GOMEMLIMIT derived from it (webhookserver.Options).
	memoryLimitMiB = 256
)

// deployment runs the webhook server: the operator's own image in
// webhook-server mode, hardened as every workload (workload.Deployment).
// It serves Meta on the webhook port and /metrics on its own port; the
// outbound relay is another Deployment (internal/relayresources).
func deployment(t target) *appsv1ac.DeploymentApplyConfiguration {
	return workload.Deployment(t.name, t.namespace, t.owner, t.replicas, workload.Pod{
		Selector:       t.selector(),
		Labels:         t.labels(),
		ServiceAccount: t.name,
		Container:      containerName,
		Image:          t.image,
		Args:           args(t),
		Ports: []*corev1ac.ContainerPortApplyConfiguration{
			workload.ContainerPort(portWebhook, webhookPort),
			workload.ContainerPort(portMetrics, metricsPort),
		},
		ProbePort:                     portWebhook,
		MemoryLimitMiB:                memoryLimitMiB,
		TerminationGracePeriodSeconds: terminationGracePeriodSeconds,
		Settings:                      t.pod,
	})
}

// goMemLimit is the webhook pod's GOMEMLIMIT.
func goMemLimit() string { return workload.GoMemLimit(memoryLimitMiB) }

// args is the webhook server's command line. The Graph API flags are left out
// when empty so that the server's own defaults apply. The Secret it reads
// is its default, SecretName(provider).
func args(t target) []string {
	a := []string{
		"webhook-server",
		"--provider-namespace", t.namespace,
		"--provider-name", t.provider,
		"--bind-address", ":" + strconv.Itoa(webhookPort),
		// /metrics on its own port, off the public one that the Ingress or
		// Gateway routes Meta to.
		"--metrics-bind-address", ":" + strconv.Itoa(metricsPort),
	}
	if t.graphAPIURL != "" {
		a = append(a, "--graph-api-url", t.graphAPIURL)
	}
	if t.graphAPIVersion != "" {
		a = append(a, "--graph-api-version", t.graphAPIVersion)
	}
	if len(t.egressCIDRs) > 0 {
		a = append(a, "--chatbot-allow-cidrs", strings.Join(t.egressCIDRs, ","))
	}
	return a
}
