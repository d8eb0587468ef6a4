package workload

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/podsettings"
)

// Pod settings every workload shares.
const (
	cpuRequest    = "50m"
	memoryRequest = "64Mi"
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
	// preStopSleepSeconds: endpoints drop a terminating pod a moment after
	// it is told to stop; the pause lets requests already routed to it
	// land on a pod that still serves (the image has no shell, so the
	// kubelet sleeps).
	preStopSleepSeconds = 5
	// Probe paths every workload serves on its main port.
	ReadyzPath  = "/readyz"
	HealthzPath = "/healthz"
)

// Pod is what differs between the workloads' pods.
type Pod struct {
	// Selector labels select the pods (SelectorLabels); Labels are the
	// pods' labels (ObjectLabels).
	Selector, Labels map[string]string
	// ServiceAccount the pods run as.
	ServiceAccount string
	// Container is the one container's name, Image its image, Args its
	// command line (the binary's subcommand first).
	Container, Image string
	Args             []string
	// Ports are the container's ports; ProbePort names the one serving
	// ReadyzPath and HealthzPath.
	Ports     []*corev1ac.ContainerPortApplyConfiguration
	ProbePort string
	// MemoryLimitMiB is the memory limit; GOMEMLIMIT is goMemLimitPercent
	// of it.
	MemoryLimitMiB int64
	// TerminationGracePeriodSeconds bounds the wait for in-flight work.
	TerminationGracePeriodSeconds int64
	// Settings are the pod settings of the provider merged with the
	// operator's defaults (podsettings.Merge): resources replacing the
	// builtin ones (MemoryLimitMiB among them), node placement, priority,
	// and labels and annotations added under the operator's own.
	Settings v1alpha1.PodSettings
}

// Deployment runs p's pods: replicas of them, hardened (non-root, read-only
// root file system, no privilege escalation, no capabilities, RuntimeDefault
// seccomp), rolled without losing capacity (maxUnavailable 0), and spread
// softly across nodes and zones.
//
// The spread constraints are present at every replica count: with one
// replica they change nothing, and adding them only above one would change
// the pod template, and so restart the pods, on every scale between 1 and 2.
//
// No annotation follows a Secret: the servers watch theirs, so a rotation
// does not restart the pods.
func Deployment(name, namespace string, owner Owner, replicas int32, p Pod) *appsv1ac.DeploymentApplyConfiguration {
	return appsv1ac.Deployment(name, namespace).
		WithLabels(p.Labels).
		WithOwnerReferences(owner.Reference()).
		WithSpec(appsv1ac.DeploymentSpec().
			WithReplicas(replicas).
			WithSelector(LabelSelector(p.Selector)).
			WithStrategy(appsv1ac.DeploymentStrategy().
				WithType("RollingUpdate").
				WithRollingUpdate(appsv1ac.RollingUpdateDeployment().
					WithMaxUnavailable(intstr.FromInt32(0)).
					WithMaxSurge(intstr.FromInt32(1)))).
			WithTemplate(podTemplate(p)))
}

// LabelSelector is the apply configuration of a selector matching labels.
func LabelSelector(labels map[string]string) *metav1ac.LabelSelectorApplyConfiguration {
	return metav1ac.LabelSelector().WithMatchLabels(labels)
}

// podTemplate is the pods' template: the operator's labels over the
// settings' (a setting can never replace a label that selects the pods),
// the settings' annotations.
func podTemplate(p Pod) *corev1ac.PodTemplateSpecApplyConfiguration {
	t := corev1ac.PodTemplateSpec().WithLabels(podsettings.Labels(p.Labels, p.Settings))
	if a := podsettings.Annotations(p.Settings); a != nil {
		t.WithAnnotations(a)
	}
	return t.WithSpec(podsettings.Schedule(podSpec(p), p.Settings))
}

func podSpec(p Pod) *corev1ac.PodSpecApplyConfiguration {
	return corev1ac.PodSpec().
		WithServiceAccountName(p.ServiceAccount).
		WithAutomountServiceAccountToken(true).
		WithEnableServiceLinks(false).
		WithTerminationGracePeriodSeconds(p.TerminationGracePeriodSeconds).
		WithSecurityContext(corev1ac.PodSecurityContext().
			WithRunAsNonRoot(true).
			WithSeccompProfile(corev1ac.SeccompProfile().
				WithType(corev1.SeccompProfileTypeRuntimeDefault))).
		WithTopologySpreadConstraints(
			spreadAcross(p.Selector, corev1.LabelHostname),
			spreadAcross(p.Selector, corev1.LabelTopologyZone)).
		WithVolumes(corev1ac.Volume().
			WithName(tmpVolume).
			WithEmptyDir(corev1ac.EmptyDirVolumeSource().
				WithSizeLimit(resource.MustParse(tmpSizeLimit)))).
		WithContainers(container(p))
}

// builtinResources are what every workload's container gets unless its
// settings say otherwise.
func builtinResources(p Pod) podsettings.Resources {
	return podsettings.Resources{
		Requests: corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse(cpuRequest),
			corev1.ResourceMemory: resource.MustParse(memoryRequest),
		},
		Limits: corev1.ResourceList{
			corev1.ResourceMemory: *resource.NewQuantity(p.MemoryLimitMiB<<20, resource.BinarySI),
		},
	}
}

func container(p Pod) *corev1ac.ContainerApplyConfiguration {
	res := podsettings.Effective(builtinResources(p), p.Settings.Resources)
	return corev1ac.Container().
		WithName(p.Container).
		WithImage(p.Image).
		WithArgs(p.Args...).
		WithPorts(p.Ports...).
		// A literal, not a resourceFieldRef: that can only copy the limit,
		// not scale it.
		WithEnv(corev1ac.EnvVar().
			WithName("GOMEMLIMIT").
			WithValue(res.GoMemLimit())).
		WithResources(corev1ac.ResourceRequirements().
			WithRequests(res.Requests).
			WithLimits(res.Limits)).
		WithLifecycle(corev1ac.Lifecycle().
			WithPreStop(corev1ac.LifecycleHandler().
				WithSleep(corev1ac.SleepAction().WithSeconds(preStopSleepSeconds)))).
		WithReadinessProbe(httpProbe(p.ProbePort, ReadyzPath, 5)).
		WithLivenessProbe(httpProbe(p.ProbePort, HealthzPath, 10)).
		WithSecurityContext(corev1ac.SecurityContext().
			WithRunAsNonRoot(true).
			WithReadOnlyRootFilesystem(true).
			WithAllowPrivilegeEscalation(false).
			WithCapabilities(corev1ac.Capabilities().WithDrop("ALL"))).
		WithVolumeMounts(corev1ac.VolumeMount().WithName(tmpVolume).WithMountPath("/tmp"))
}

// ContainerPort is a named TCP container port.
func ContainerPort(name string, port int32) *corev1ac.ContainerPortApplyConfiguration {
	return corev1ac.ContainerPort().WithName(name).WithContainerPort(port).WithProtocol(corev1.ProtocolTCP)
}

// GoMemLimit is GOMEMLIMIT for a memory limit of limitMiB: goMemLimitPercent
// of it, in whole MiB ("230MiB" of 256Mi).
func GoMemLimit(limitMiB int64) string {
	return strconv.FormatInt(limitMiB*goMemLimitPercent/100, 10) + "MiB"
}

func httpProbe(port, path string, periodSeconds int32) *corev1ac.ProbeApplyConfiguration {
	return corev1ac.Probe().
		WithHTTPGet(corev1ac.HTTPGetAction().
			WithPath(path).
			WithPort(intstr.FromString(port))).
		WithPeriodSeconds(periodSeconds).
		WithFailureThreshold(3)
}

// spreadAcross prefers (never requires) replicas on different values of
// topologyKey.
func spreadAcross(selector map[string]string, topologyKey string) *corev1ac.TopologySpreadConstraintApplyConfiguration {
	return corev1ac.TopologySpreadConstraint().
		WithMaxSkew(1).
		WithTopologyKey(topologyKey).
		WithWhenUnsatisfiable(corev1.ScheduleAnyway).
		WithLabelSelector(LabelSelector(selector))
}
