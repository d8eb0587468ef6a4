package webhookresources

import (
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Labels on every object this package writes. The operator's cache selects
// owned kinds on ManagedByLabel=ManagedByValue (see CacheSelector).
const (
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedByValue = "whatsapp-operator"

	// NameLabel and NameValue say what the object is part of.
	NameLabel = "app.kubernetes.io/name"
	NameValue = "whatsapp-webhook"
	// InstanceLabel holds the MetaProvider's name.
	InstanceLabel = "app.kubernetes.io/instance"
	// ProviderLabel holds the MetaProvider's name, in the project's own
	// vocabulary, for `kubectl get -l whatsapp.kubechat.io/provider=acme`.
	ProviderLabel = "whatsapp.kubechat.io/provider"
)

// CacheSelector selects the objects this package writes; use it in the
// manager's cache.Options.ByObject for every type in OwnedTypes so that the
// operator does not cache every Deployment, Service or Role in the cluster.
func CacheSelector() labels.Selector {
	return labels.SelectorFromSet(labels.Set{ManagedByLabel: ManagedByValue})
}

// objectLabels are the labels of every object of providerName, pods included.
func objectLabels(providerName string) map[string]string {
	l := selectorLabels(providerName)
	l[ManagedByLabel] = ManagedByValue
	l[ProviderLabel] = providerName
	return l
}

// selectorLabels select providerName's webhook pods. They are part of the
// Deployment's immutable selector: never change them.
func selectorLabels(providerName string) map[string]string {
	return map[string]string{NameLabel: NameValue, InstanceLabel: providerName}
}

// CacheByObject is the manager's cache.Options.ByObject for the kinds this
// package writes: each cached only where CacheSelector matches.
func CacheByObject() map[client.Object]cache.ByObject {
	m := map[client.Object]cache.ByObject{}
	for _, t := range OwnedTypes() {
		m[t] = cache.ByObject{Label: CacheSelector()}
	}
	return m
}
