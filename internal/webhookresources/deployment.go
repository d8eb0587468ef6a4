package webhookresources

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
)

// Pod sizing and timing of the webhook server.
const (
	// terminationGracePeriodSeconds lets in-flight deliveries finish: Meta
	// waits for our answer, and a delivery that is cut off is retried by Meta
	// anyway, so this bounds the wait rather than guaranteeing completion.
	terminationGracePeriodSeconds int64 = 30
	cpuRequest                          = "50m"
	memoryRequest                       = "64Mi"
	// memoryLimitMiB leaves room for the relay's media uploads (the relay
	// must stream them; a 100 MB document must not be held in memory).
	memoryLimitMiB = 256
	// goMemLimitPercent of the memory limit is the Go runtime's soft limit
	// (GOMEMLIMIT): the rest is for what the runtime does not count
	// (goroutine stacks above it, cgo, the binary's mapped pages, kernel
	// buffers charged to the pod), so that the collector works harder before
	// the kernel kills the pod.
	goMemLimitPercent = 90
	// tmpSizeLimit bounds the scratch space under /tmp: the root file
	// system is read-only.
	tmpSizeLimit = "256Mi"
	tmpVolume    = "tmp"
)

// deployment runs the webhook server: the operator's own image in
// webhook-server mode, hardened (non-root, read-only root file system, no
// privilege escalation, no capabilities, RuntimeDefault seccomp), rolled
// without losing capacity (maxUnavailable 0), and spread softly across nodes
// and zones.
//
// The spread constraints are present at every replica count: with one
// replica they change nothing, and adding them only above one would change
// the pod template, and so restart the pods, on every scale between 1 and 2.
//
// No annotation follows the credentials Secret: the server watches it, so a
// token rotation does not restart the pods.
func deployment(t target) *appsv1ac.DeploymentApplyConfiguration {
	return appsv1ac.Deployment(t.name, t.namespace).
		WithLabels(t.labels()).
		WithOwnerReferences(t.ownerReference()).
		WithSpec(appsv1ac.DeploymentSpec().
			WithReplicas(t.replicas).
			WithSelector(t.labelSelector()).
			WithStrategy(appsv1ac.DeploymentStrategy().
				WithType("RollingUpdate").
				WithRollingUpdate(appsv1ac.RollingUpdateDeployment().
					WithMaxUnavailable(intstr.FromInt32(0)).
					WithMaxSurge(intstr.FromInt32(1)))).
			WithTemplate(corev1ac.PodTemplateSpec().
				WithLabels(t.labels()).
				WithSpec(podSpec(t))))
}

func podSpec(t target) *corev1ac.PodSpecApplyConfiguration {
	return corev1ac.PodSpec().
		WithServiceAccountName(t.name).
		WithAutomountServiceAccountToken(true).
		WithEnableServiceLinks(false).
		WithTerminationGracePeriodSeconds(terminationGracePeriodSeconds).
		WithSecurityContext(corev1ac.PodSecurityContext().
			WithRunAsNonRoot(true).
			WithSeccompProfile(corev1ac.SeccompProfile().
				WithType(corev1.SeccompProfileTypeRuntimeDefault))).
		WithTopologySpreadConstraints(
			spreadAcross(t, corev1.LabelHostname),
			spreadAcross(t, corev1.LabelTopologyZone)).
		WithVolumes(corev1ac.Volume().
			WithName(tmpVolume).
			WithEmptyDir(corev1ac.EmptyDirVolumeSource().
				WithSizeLimit(resource.MustParse(tmpSizeLimit)))).
		WithContainers(container(t))
}

// preStopSleepSeconds: see the preStop hook below.
const preStopSleepSeconds = 5

func container(t target) *corev1ac.ContainerApplyConfiguration {
	return corev1ac.Container().
		WithName(containerName).
		WithImage(t.image).
		WithArgs(args(t)...).
		WithPorts(
			corev1ac.ContainerPort().WithName(portWebhook).WithContainerPort(webhookPort).WithProtocol(corev1.ProtocolTCP),
			corev1ac.ContainerPort().WithName(portRelay).WithContainerPort(relayPort).WithProtocol(corev1.ProtocolTCP),
			corev1ac.ContainerPort().WithName(portMetrics).WithContainerPort(metricsPort).WithProtocol(corev1.ProtocolTCP)).
		// A literal, not a resourceFieldRef: that can only copy the limit,
		// not scale it.
		WithEnv(corev1ac.EnvVar().
			WithName("GOMEMLIMIT").
			WithValue(goMemLimit())).
		WithResources(corev1ac.ResourceRequirements().
			WithRequests(corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse(cpuRequest),
				corev1.ResourceMemory: resource.MustParse(memoryRequest),
			}).
			WithLimits(corev1.ResourceList{
				corev1.ResourceMemory: *resource.NewQuantity(memoryLimitMiB<<20, resource.BinarySI),
			})).
		// Endpoints drop a terminating pod a moment after it is told to
		// stop; the pause lets Meta's in-flight retries land on a pod that
		// still serves (the image has no shell, so the kubelet sleeps).
		WithLifecycle(corev1ac.Lifecycle().
			WithPreStop(corev1ac.LifecycleHandler().
				WithSleep(corev1ac.SleepAction().WithSeconds(preStopSleepSeconds)))).
		WithReadinessProbe(httpProbe(readyzPath, 5)).
		WithLivenessProbe(httpProbe(healthzPath, 10)).
		WithSecurityContext(corev1ac.SecurityContext().
			WithRunAsNonRoot(true).
			WithReadOnlyRootFilesystem(true).
			WithAllowPrivilegeEscalation(false).
			WithCapabilities(corev1ac.Capabilities().WithDrop("ALL"))).
		WithVolumeMounts(corev1ac.VolumeMount().WithName(tmpVolume).WithMountPath("/tmp"))
}

// goMemLimit is GOMEMLIMIT: goMemLimitPercent of the memory limit, in
// whole MiB ("230MiB" of 256Mi).
func goMemLimit() string {
	return strconv.Itoa(memoryLimitMiB*goMemLimitPercent/100) + "MiB"
}

// args is the webhook server's command line. The Graph API flags are left out
// when empty so that the server's own defaults apply.
func args(t target) []string {
	a := []string{
		"webhook-server",
		"--provider-namespace", t.namespace,
		"--provider-name", t.provider,
		"--bind-address", ":" + strconv.Itoa(webhookPort),
		"--relay-bind-address", ":" + strconv.Itoa(relayPort),
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

func httpProbe(path string, periodSeconds int32) *corev1ac.ProbeApplyConfiguration {
	return corev1ac.Probe().
		WithHTTPGet(corev1ac.HTTPGetAction().
			WithPath(path).
			WithPort(intstr.FromString(portWebhook))).
		WithPeriodSeconds(periodSeconds).
		WithFailureThreshold(3)
}

// spreadAcross prefers (never requires) replicas on different values of
// topologyKey.
func spreadAcross(t target, topologyKey string) *corev1ac.TopologySpreadConstraintApplyConfiguration {
	return corev1ac.TopologySpreadConstraint().
		WithMaxSkew(1).
		WithTopologyKey(topologyKey).
		WithWhenUnsatisfiable(corev1.ScheduleAnyway).
		WithLabelSelector(t.labelSelector())
}
