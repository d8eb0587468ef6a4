package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Finalizer is set on objects whose deletion needs work at Meta first.
const Finalizer = "whatsapp.kubechat.io/finalizer"

// ReconcileRequestAnnotation asks for an immediate reconcile when its value
// changes (any string, a timestamp by convention). The value handled last is
// mirrored in status.lastHandledReconcileAt. The webhook server sets it when
// Meta announces a template or quality change.
const ReconcileRequestAnnotation = "whatsapp.kubechat.io/reconcile-requested-at"

// AdoptAnnotation, set to "true" on a MessageTemplate, lets it take over a
// template of the same name and language that already exists at Meta and
// that it did not create: the template is then edited to the spec and,
// with deletionPolicy Delete, deleted at Meta with the object. Without it
// such a template is left alone and the object says so (reason
// AdoptionRequired). Once adopted, the template is the object's: removing
// the annotation changes nothing.
const AdoptAnnotation = "whatsapp.kubechat.io/adopt"

// ProviderReference names a MetaProvider in the same namespace.
type ProviderReference struct {
	// name of the MetaProvider in the same namespace.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`
}

// SecretReference names a Secret in the same namespace.
type SecretReference struct {
	// name of the Secret in the same namespace.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`
}

// SecretKeyReference names one key of a Secret in the same namespace.
type SecretKeyReference struct {
	// name of the Secret in the same namespace.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`

	// key in the Secret's data.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	// +required
	Key string `json:"key"`
}

// ReconcileStatus is embedded in every kind's status: the Flux/kstatus fields
// that GitOps tools and `kubectl wait` read.
type ReconcileStatus struct {
	// observedGeneration is the generation last reconciled to a final state:
	// Ready, or Stalled. While a newer generation is in progress it lags
	// metadata.generation, so a stale Ready never reads as done.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// lastHandledReconcileAt is the value of the
	// whatsapp.kubechat.io/reconcile-requested-at annotation handled last.
	// +optional
	LastHandledReconcileAt string `json:"lastHandledReconcileAt,omitempty"`

	// conditions: Ready always; Reconciling and Stalled only while True; and
	// the kind's own types.
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=16
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}
