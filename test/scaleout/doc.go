// Package scaleout tests issue 10's scale-out scenarios with the
// operator's binary, as a platform team runs it with two replicas of
// everything: two `whatsapp-operator webhook-server` processes behind a
// round-robin proxy and two `whatsapp-operator relay` processes, sharing
// one real redis-server, each started with the arguments of the
// Deployment the operator wrote for the MetaProvider and a kubeconfig
// holding only a token of that Deployment's ServiceAccount. The
// controllers run in the test process (test/e2e's Stack) against a real
// API server (envtest) and the Graph API simulator, which plays Meta.
//
// The claims: every message id Meta sends, with retries of partly failed
// batches to the other replica and concurrent duplicates, reaches its
// chatbot exactly once and is never acknowledged before it did
// (internal/retryload's load); and a burst of 1,000 sends to one number
// through both relays never counts more than the number's rate in one
// second at the simulator, beyond decision 023's slack, and loses none.
package scaleout
