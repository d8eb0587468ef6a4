package workload

// Labels on every object the operator writes for a provider. The
// operator's cache selects the kinds it writes on ManagedByLabel=
// ManagedByValue (see CacheSelector).
const (
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedByValue = "whatsapp-operator"

	// NameLabel says which workload an object is part of: one of the
	// Component values.
	NameLabel = "app.kubernetes.io/name"
	// InstanceLabel holds the MetaProvider's name.
	InstanceLabel = "app.kubernetes.io/instance"
	// ProviderLabel holds the MetaProvider's name, in the project's own
	// vocabulary, for `kubectl get -l whatsapp.kubechat.io/provider=acme`.
	ProviderLabel = "whatsapp.kubechat.io/provider"
)

// Component is the NameLabel value of one workload's objects.
type Component string

// The workloads of a provider.
const (
	// ComponentWebhook is the internet-facing webhook server.
	ComponentWebhook Component = "whatsapp-webhook"
	// ComponentRelay is the outbound relay, which holds the access token.
	ComponentRelay Component = "whatsapp-relay"
)

// ObjectLabels are the labels of every object of component for
// providerName, pods included.
func ObjectLabels(component Component, providerName string) map[string]string {
	l := SelectorLabels(component, providerName)
	l[ManagedByLabel] = ManagedByValue
	l[ProviderLabel] = providerName
	return l
}

// SelectorLabels select component's pods of providerName. They are part of
// a Deployment's immutable selector: never change them.
func SelectorLabels(component Component, providerName string) map[string]string {
	return map[string]string{NameLabel: string(component), InstanceLabel: providerName}
}
