package relayresources

import (
	"strconv"

	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/kubechat/whatsapp-operator/internal/workload"
)

// Pod sizing and timing of the relay.
const (
	// terminationGracePeriodSeconds covers the relay's own shutdown
	// timeout (relay.DefaultShutdownTimeout, 25s): a send under way is
	// finished, not cut off, since a cut-off send has an unknown outcome.
	terminationGracePeriodSeconds int64 = 35
	// memoryLimitMiB leaves room for the bodies the relay holds at once
	// (relay.DefaultMaxBufferedBytes, 160 MiB: one 100 MB document upload
	// and many messages) above the runtime's own needs.
	memoryLimitMiB = 384
)

// deployment runs the relay: the operator's own image in relay mode,
// hardened as every workload (workload.Deployment). It serves the send API
// and the probes on the relay port and /metrics on its own port.
func deployment(t target) *appsv1ac.DeploymentApplyConfiguration {
	return workload.Deployment(t.name, t.namespace, t.owner, t.replicas, workload.Pod{
		Selector:       t.selector(),
		Labels:         t.labels(),
		ServiceAccount: t.name,
		Container:      containerName,
		Image:          t.image,
		Args:           args(t),
		Ports: []*corev1ac.ContainerPortApplyConfiguration{
			workload.ContainerPort(portRelay, relayPort),
			workload.ContainerPort(portMetrics, metricsPort),
		},
		ProbePort:                     portRelay,
		MemoryLimitMiB:                memoryLimitMiB,
		TerminationGracePeriodSeconds: terminationGracePeriodSeconds,
		Settings:                      t.pod,
	})
}

// args is the relay's command line. The Graph API flags are left out when
// empty so that the relay's own defaults apply.
func args(t target) []string {
	a := []string{
		"relay",
		"--provider-namespace", t.namespace,
		"--provider-name", t.provider.Name,
		"--bind-address", ":" + strconv.Itoa(relayPort),
		"--metrics-bind-address", ":" + strconv.Itoa(metricsPort),
	}
	if t.graphAPIURL != "" {
		a = append(a, "--graph-api-url", t.graphAPIURL)
	}
	if t.graphAPIVersion != "" {
		a = append(a, "--graph-api-version", t.graphAPIVersion)
	}
	return a
}
