// Package webhookresources builds and keeps in shape the Kubernetes objects
// that run one MetaProvider's webhook server: a ServiceAccount, a Role and
// RoleBinding with least privilege, a Deployment, a Service, a NetworkPolicy
// that keeps the relay and metrics ports in-namespace and, when more than one
// replica runs, a PodDisruptionBudget.
//
// Every object is named Name(provider), carries the labels in labels.go and a
// controller owner reference to the MetaProvider (deleting the provider
// garbage-collects them), and is written with server-side apply under the
// field manager FieldManager with forced ownership. Apply therefore restores
// any field it sets that someone else changed, leaves alone fields it does not
// set (server defaults, other tools' labels), and writes nothing when nothing
// differs.
//
// The desired state is built as client-go apply configurations
// (k8s.io/client-go/applyconfigurations) rather than typed objects: a typed
// object serialises zero values it does not mean to own (status: {},
// creationTimestamp: null, resources: {}), an apply configuration only the
// fields set. Desired converts them to typed objects for tests and tooling.
package webhookresources
