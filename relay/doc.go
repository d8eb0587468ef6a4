// Package relay is the outbound relay of one MetaProvider: chatbots send
// their replies through it, in Meta's own send API, and never hold the
// access token. It runs as its own Deployment (`whatsapp-operator relay`),
// apart from the internet-facing webhook server.
//
// It serves POST /{version}/{phone-number-id}/messages and /media with
// Meta's bodies and answers (any vNN.N in the path; Meta gets the
// provider's configured version), for the phone numbers of the provider's
// Ready WhatsAppChannels only. Before Meta does, it refuses what WhatsApp
// would refuse (media types and sizes, interactive limits, captions,
// recipients), splits text over 4096 characters at word boundaries, paces
// each number at its throughput (graph.SendBudget, shared out among the
// replicas), retries 130429, 131056, codes 1/2 and 5xx answers but never a
// request whose answer was lost, keeps each recipient's messages in order,
// and falls back to the approved template new_bot_message outside the
// 24-hour window. docs/relay.md is the chatbot author's guide.
//
// Decide, then send (one concept per file):
//
//	server.go     mux, probes, /metrics; admit (path, readiness, sender), body budget
//	message.go    what a send body holds that the decisions need; the x_relay extension
//	limits.go     WhatsApp's rules, checked before Meta (pure)
//	plan.go       what to send: parts, extension removed, fallback bodies (pure: fuzzed)
//	split.go      SplitText at word boundaries, template parameter folding (pure)
//	fallback.go   new_bot_message: FallbackTemplateProblem, which template, NAMED or {{1}} (pure)
//	mediatypes.go media kinds, MIME types and sizes; sniffing (pure)
//	upload.go     a multipart upload read once into the form Meta gets, checked
//	linkcheck.go  bounded HEAD of media links through internal/dialguard
//	deliver.go    a plan's parts in order in the recipient's lane; the fallback
//	send.go       the one place that talks to Meta: budget, retries, outcome unknown
//	lanes.go      per-recipient first-come-first-served lanes
//	answer.go     Meta-shaped answers: merged wamids, errors, headers
//	metaerror.go  the relay's own errors in Meta's shape
//	senders.go    phone number id → Ready channel and its throughput
//	credentials.go the access token, the only key of the Secret it keeps
//	version.go    the {version} path element, checked by hand (every request)
//	relay.go, options.go, run.go, metrics.go, rbac.go
//
// The shared cluster state is internal/providerstate; decision records
// 005 (package layout), 006 (pacing and retries) and 007 (the window
// fallback and the relay's own errors) explain the choices.
//
// # RBAC
//
// The relay's ServiceAccount needs exactly this Role in the provider's
// namespace (NAME is the MetaProvider, SECRET its
// spec.credentialsSecretRef.name); Rules returns it, and the envtest suite
// runs the relay with nothing more. It lists the provider and the Secret
// with the field selector metadata.name=NAME (SECRET), so resourceNames
// suffice. It writes nothing and records no Events. These are plain
// comments on purpose: controller-gen markers here would widen the
// operator's own ClusterRole.
//
//	rules:
//	- apiGroups: ["whatsapp.kubechat.io"]
//	  resources: ["metaproviders"]
//	  resourceNames: ["NAME"]
//	  verbs: ["get", "list", "watch"]
//	- apiGroups: ["whatsapp.kubechat.io"]
//	  resources: ["whatsappchannels", "messagetemplates"]
//	  verbs: ["get", "list", "watch"]
//	- apiGroups: [""]
//	  resources: ["secrets"]
//	  resourceNames: ["SECRET"]
//	  verbs: ["get", "list", "watch"]
package relay
