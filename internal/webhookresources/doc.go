// Package webhookresources builds and keeps in shape the Kubernetes objects
// that run one MetaProvider's webhook server, the internet-facing pod: a
// ServiceAccount, a Role and RoleBinding with least privilege, a
// Deployment, a Service, a NetworkPolicy that keeps the metrics port
// in-namespace and, when more than one replica runs, a
// PodDisruptionBudget (Apply); and the two Secrets derived from the
// credentials (ApplySecrets): SecretName(p) with only what the webhook
// server needs (never the access token), and ForwardingSecretName(p) with
// the key that signs what is forwarded to chatbots.
//
// What every workload shares (owner references, labels, the hardened pod,
// the PodDisruptionBudget, readiness, and the guard that refuses objects
// the provider does not control) is internal/workload; the relay's objects
// are internal/relayresources.
//
// The desired state is built as client-go apply configurations
// (k8s.io/client-go/applyconfigurations) rather than typed objects: a typed
// object serialises zero values it does not mean to own (status: {},
// creationTimestamp: null, resources: {}), an apply configuration only the
// fields set. Desired converts them to typed objects for tests and tooling.
package webhookresources
