// Package relayresources builds and keeps in shape the Kubernetes objects
// that run one MetaProvider's outbound relay (`whatsapp-operator relay`,
// package relay): a ServiceAccount, a Role (exactly relay.Rules: the
// provider, its channels and templates, and the credentials Secret by
// name) and RoleBinding, a Deployment, a ClusterIP Service, a
// NetworkPolicy that admits only pods of the provider's namespace and of
// spec.relay.allowedNamespaces and, when more than one replica runs, a
// PodDisruptionBudget. Every object is named Name(provider).
//
// The relay holds the access token, so it runs apart from the
// internet-facing webhook server (internal/webhookresources) and is
// reachable from inside the cluster only. What both workloads share is
// internal/workload.
package relayresources
