package v1alpha1

import corev1 "k8s.io/api/core/v1"

// PodSettings are the scheduling, sizing and metadata settings of the pods
// of a workload the operator runs for a provider (its webhook server or its
// relay). Each field set here replaces the operator-wide default of that
// field (the operator's --webhook-pod-defaults and --relay-pod-defaults,
// the chart's webhookServer.pod and relay.pod); labels, annotations and
// nodeSelector are merged with the defaults key by key, these winning.
//
// What keeps the pods working and safe is not settable: the operator's
// labels (they select the pods for the Deployment, the Service, the
// PodDisruptionBudget and the NetworkPolicy), the security contexts, the
// probes, the ServiceAccount and the command line.
type PodSettings struct {
	// resources of the workload's container. The memory limit also sets
	// the Go runtime's soft limit (GOMEMLIMIT, 90% of it). Unset: the
	// operator's default (requests 50m CPU and 64Mi memory, limit 256Mi
	// memory).
	// +optional
	Resources *PodResources `json:"resources,omitempty"`

	// nodeSelector the pods must match, merged with the default's.
	// +kubebuilder:validation:MaxProperties=16
	// +optional
	NodeSelector map[string]LabelValue `json:"nodeSelector,omitempty"`

	// tolerations of the pods; replace the default's.
	// +kubebuilder:validation:MaxItems=16
	// +listType=atomic
	// +optional
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`

	// affinity of the pods; replaces the default's. The operator's soft
	// spread across nodes and zones (topologySpreadConstraints) stays.
	// +optional
	Affinity *corev1.Affinity `json:"affinity,omitempty"`

	// priorityClassName of the pods; replaces the default's.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`
	// +optional
	PriorityClassName string `json:"priorityClassName,omitempty"`

	// annotations added to the pods, merged with the default's. Keys that
	// would loosen the pods' hardening (AppArmor and seccomp annotations)
	// and the whatsapp.kubechat.io/ prefix are refused.
	// +kubebuilder:validation:MaxProperties=32
	// +kubebuilder:validation:XValidation:rule="self.all(k, !k.startsWith('container.apparmor.security.beta.kubernetes.io/') && !k.startsWith('seccomp.security.alpha.kubernetes.io/') && !k.startsWith('whatsapp.kubechat.io/'))",message="annotations: AppArmor and seccomp annotations and the whatsapp.kubechat.io/ prefix are the operator's: the pods' hardening cannot be changed"
	// +optional
	Annotations map[string]AnnotationValue `json:"annotations,omitempty"`

	// labels added to the pods, merged with the default's. The operator's
	// own labels (app.kubernetes.io/name, app.kubernetes.io/instance,
	// app.kubernetes.io/managed-by and the whatsapp.kubechat.io/ prefix)
	// are refused: they select the pods.
	// +kubebuilder:validation:MaxProperties=32
	// +kubebuilder:validation:XValidation:rule="self.all(k, k.size() <= 317 && k.matches('^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$'))",message="labels: each key must be a label key (an optional DNS subdomain prefix and '/', then at most 63 characters of letters, digits, '-', '_' and '.')"
	// +kubebuilder:validation:XValidation:rule="self.all(k, !(k in ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/managed-by']) && !k.startsWith('whatsapp.kubechat.io/'))",message="labels: app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/managed-by and the whatsapp.kubechat.io/ prefix are the operator's: they select the pods for the Deployment, the Service and the NetworkPolicy"
	// +optional
	Labels map[string]LabelValue `json:"labels,omitempty"`
}

// LabelValue is a Kubernetes label value: at most 63 characters of
// letters, digits, '-', '_' and '.', starting and ending with a letter or
// digit, or empty.
// +kubebuilder:validation:MaxLength=63
// +kubebuilder:validation:Pattern=`^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$`
type LabelValue string

// AnnotationValue is an annotation's value, at most 4096 characters.
// +kubebuilder:validation:MaxLength=4096
type AnnotationValue string

// PodResources are a container's resource requests and limits: CPU and
// memory, as Kubernetes quantities (100m, 0.5, 128Mi, 1Gi).
// +kubebuilder:validation:XValidation:rule="!has(self.requests) || !has(self.limits) || !has(self.requests.memory) || !has(self.limits.memory) || quantity(self.requests.memory).compareTo(quantity(self.limits.memory)) <= 0",message="resources: requests.memory must not exceed limits.memory"
// +kubebuilder:validation:XValidation:rule="!has(self.requests) || !has(self.limits) || !has(self.requests.cpu) || !has(self.limits.cpu) || quantity(self.requests.cpu).compareTo(quantity(self.limits.cpu)) <= 0",message="resources: requests.cpu must not exceed limits.cpu"
// +kubebuilder:validation:XValidation:rule="!has(self.limits) || !has(self.limits.memory) || quantity(self.limits.memory).compareTo(quantity('64Mi')) >= 0",message="resources.limits.memory must be at least 64Mi: the Go runtime's soft limit is 90% of it"
type PodResources struct {
	// requests: what the scheduler reserves for the container.
	// +optional
	Requests *ResourceAmounts `json:"requests,omitempty"`
	// limits: what the container may use at most.
	// +optional
	Limits *ResourceAmounts `json:"limits,omitempty"`
}

// ResourceAmounts are amounts of CPU and memory.
type ResourceAmounts struct {
	// cpu, such as 100m or 0.5.
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="isQuantity(self) && quantity(self).isGreaterThan(quantity('0'))",message="must be a positive Kubernetes quantity such as 100m or 0.5"
	// +optional
	CPU string `json:"cpu,omitempty"`
	// memory, such as 128Mi or 1Gi.
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="isQuantity(self) && quantity(self).isGreaterThan(quantity('0'))",message="must be a positive Kubernetes quantity such as 128Mi or 1Gi"
	// +optional
	Memory string `json:"memory,omitempty"`
}
