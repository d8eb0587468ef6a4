// Package graphsim is an in-memory, stateful stand-in for the parts of Meta's
// Graph API that the whatsapp-operator uses. A *Server is an http.Handler:
// tests serve it with httptest.NewServer and point graph.Config.BaseURL at
// it; the demo runs it as a process (cmd/graphsim).
//
// It speaks Meta's shapes over real HTTP under versioned paths (/v25.0/...,
// any vNN.N): WABAs with phone numbers, apps, tokens with scopes and expiry,
// app subscriptions with callback overrides, business profiles, message
// templates that stay PENDING until a control call or a review timer decides
// them, message sends and media uploads, number registration with Meta's
// attempt limit (registration.go), Resumable Upload API sessions whose
// handles are the only header_handle a media header may name (uploads.go),
// and the rules of authentication templates and copy-code buttons
// (template_rules.go). Errors are Meta's error objects with
// Meta's codes and HTTP statuses (190 → 401; most others 400, rate limits
// included). WABA calls carry an X-Business-Use-Case-Usage header.
// Options.Latency makes every call take Meta-like time (benchmarks).
//
// A control surface drives it: Go methods (InjectFault, SetTemplateStatus,
// RevokeToken, CloseWindow, Calls, Templates, DeliverWebhook, ...) and the
// same under the /_sim/ HTTP prefix for the demo. Calls are counted per
// logical endpoint (the Endpoint* constants, the same strings the graph
// client uses as metric labels). Fault rates draw from a seeded source, so a
// run is reproducible.
//
// The Server is safe for concurrent use. Call Close when done to stop review
// timers and wait for webhook deliveries it started.
package graphsim
