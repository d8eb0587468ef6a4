// Package workload holds what every workload the operator runs for a
// MetaProvider shares: the webhook server (internal/webhookresources) and
// the outbound relay (internal/relayresources) are each one builder of
// apply configurations on top of it.
//
// Shared here, so that both workloads are run the same way:
//
//	owner.go        the provider as the controller owner of every object
//	labels.go       the labels of every object and the pod selector of each workload
//	cache.go        the kinds written and the operator's cache selector for them
//	apply.go        server-side apply of a set of objects, in order
//	guard.go        no silent takeover: refuse an object another owner controls
//	notcontrolled.go the typed error of that refusal
//	pod.go          the hardened pod: security context, probes, GOMEMLIMIT, spread
//	identity.go     ServiceAccount and RoleBinding of a workload
//	pdb.go          the PodDisruptionBudget above one replica, and its removal
//	readiness.go    a Deployment's readiness as a condition reads it
//	names.go        the field manager and which provider names can name objects
//
// Every object is written with server-side apply under FieldManager with
// forced ownership, but only after guard.go established that the object
// does not exist or that this provider already controls it: force takes
// fields from other managers of our own objects (drift is restored), never
// an object someone else made. Decision record:
// docs/decisions/016-one-package-per-workload.md.
package workload
