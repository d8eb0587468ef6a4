// Package webhookserver is the managed webhook server of one MetaProvider:
// it answers Meta's verification handshake, authenticates every webhook by
// its X-Hub-Signature-256, and routes each change to the chatbot of the
// WhatsAppChannel that owns its phone number, at least once and without
// duplicates on Meta's retries. Template and phone-number events make the
// matching objects re-sync at once. Replies go the other way through the
// relay (package relay), a separate Deployment that holds the access token;
// this internet-facing server keeps only the app secrets and the verify
// token.
//
// Request path (one concept per file):
//
//	server.go        mux, probes, /metrics; refuses forwarded requests (loops)
//	handshake.go     GET /webhook: hub.mode / hub.verify_token / hub.challenge
//	notification.go  POST /webhook: signature header, size cap, read deadline, signature, parse, plan, execute, 200 or 503
//	signature.go     HMAC-SHA256 of the raw body, current and previous app secrets; pooled signers
//	envelope.go      object / entry[].id / changes[].field+value, values kept raw
//	decode.go        one-pass jsontext walker handing out sub-slices of the body
//	valueinfo.go     what routing and dedupe need of a value, read in the same pass
//	plan.go          which change goes where (pure: fuzzed); whole bodies forwarded as they came
//	dedupe.go        message / status / event identity, LRU of delivered items
//	body.go          the Meta-shaped envelope each chatbot receives
//	routes.go        phone_number_id → channel, from channels' status
//	endpoints.go     Service → ready EndpointSlice endpoints, round-robin
//	forward.go       the HTTP client and one delivery; loop marker; per-chatbot cap
//	chatbotguard.go  the chatbot dialer: dialguard, API server addresses, opt-in ranges
//	loggate.go       one line per minute for refusals anyone can cause
//	metriccache.go   metric children resolved once
//	reconcilerequest.go  reconcile-requested-at annotation on templates and channels
//	nudge.go         bounded background queue of those reconcile requests
//	unknown.go       live check of a number the cache does not know
//
// Cluster side: the provider's shared state (caches restricted to the
// namespace, the one credentials Secret) is internal/providerstate;
// state.go adds the inbound kinds (Services, EndpointSlices), names the
// Secret and keys kept (appSecret, verifyToken, appSecretPrevious,
// forwardingKey: never accessToken) and rebuilds the route table on every provider or channel
// change; credentials.go (verify token, app secret rotation), run.go (Run,
// listeners, shutdown).
//
// # RBAC
//
// The webhook server's ServiceAccount needs exactly this Role in the
// provider's namespace (NAME is the MetaProvider, SECRET the webhook Secret
// NAME-webhook that the operator derives from the credentials, or the one
// --credentials-secret names); internal/webhookresources builds it, and
// the envtest suite runs the server with nothing more. Listing and watching
// the provider and the Secret is allowed by resourceNames because the server
// always lists them with the field selector metadata.name=NAME (SECRET). The
// server records no Events. These are plain comments on purpose:
// controller-gen markers here would widen the operator's own ClusterRole.
//
// SECRET holds appSecret, verifyToken, forwardingKey (and
// appSecretPrevious), never accessToken: the internet-facing pod cannot
// read the token at all (docs/decisions/017-webhook-secret-without-token.md).
// Forwarded bodies are signed with forwardingKey, never with the app
// secret.
//
//	rules:
//	- apiGroups: ["whatsapp.kubechat.io"]
//	  resources: ["metaproviders"]
//	  resourceNames: ["NAME"]
//	  verbs: ["get", "list", "watch"]
//	- apiGroups: ["whatsapp.kubechat.io"]
//	  resources: ["whatsappchannels", "messagetemplates"]
//	  verbs: ["get", "list", "watch"]
//	- apiGroups: ["whatsapp.kubechat.io"]
//	  resources: ["whatsappchannels", "messagetemplates"]
//	  verbs: ["patch"]
//	- apiGroups: ["discovery.k8s.io"]
//	  resources: ["endpointslices"]
//	  verbs: ["get", "list", "watch"]
//	- apiGroups: [""]
//	  resources: ["services"]
//	  verbs: ["get", "list", "watch"]
//	- apiGroups: [""]
//	  resources: ["secrets"]
//	  resourceNames: ["SECRET"]
//	  verbs: ["get", "list", "watch"]
package webhookserver
