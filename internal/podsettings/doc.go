// Package podsettings decides the pod settings of a workload the operator
// runs for a provider (the webhook server, the relay): the operator-wide
// defaults (--webhook-pod-defaults, --relay-pod-defaults) merged with the
// provider's spec.webhook.pod or spec.relay.pod. It is pure: the workload
// builders apply its result to their pods.
//
// The flags are checked here with the rules the CRD checks at admission
// (api/v1alpha1/podsettings_types.go), so a default can no more take over
// the pods' selector labels or loosen their hardening than a provider can.
package podsettings
