// Package providerstate is the cluster state one MetaProvider's workloads
// read: the provider itself (by name), its WhatsAppChannels and
// MessageTemplates, the credentials Secret, and whatever extra kinds the
// caller caches, all restricted to the provider's namespace. The webhook
// server (inbound) and the relay (outbound) each run one State; neither
// reads the API server any other way except through State.Live.
//
// The read API is narrow on purpose:
//
//	Provider, Channels, Templates  the provider and what references it, from the caches
//	Reader                         the cache, for the extra kinds (Services, EndpointSlices)
//	Live                           an uncached client: patches and live double-checks
//	Synced, CredentialsReady       readiness
//	Options.OnChange               a Snapshot after every provider or channel event
//	Options.Credentials            the selected keys of the Secret, on every change
//
// Which Secret is watched (Options.Secret.Name) and which of its keys are
// kept (Options.Secret.Keys) are parameters: a consumer names the keys it
// needs, and no other value of the Secret is ever held in its memory. The
// Secret is listed and watched by name only (a field selector), so a Role
// with resourceNames: [that Secret] suffices.
//
// Files:
//
//	state.go        Options, State, New and the read API
//	run.go          Run: caches, first Snapshot, coalesced rebuilds
//	secretwatch.go  the watch on exactly one Secret, moved when the provider points elsewhere
//	keys.go         which keys of the Secret are kept, and when they are complete
//	scheme.go       the built-in kinds and this project's
//	restconfig.go   --kubeconfig, $KUBECONFIG, in-cluster, ~/.kube/config
//
// Decision record: docs/decisions/005-provider-state-and-package-layout.md.
package providerstate
