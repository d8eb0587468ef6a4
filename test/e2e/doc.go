// Package e2e runs the whole whatsapp-operator on one machine and tests it
// end to end: a real kube-apiserver and etcd (envtest) with the CRDs, the
// Graph API simulator standing in for Meta, the operator's controllers, the
// real webhook server of a MetaProvider and a stub chatbot, all talking
// over loopback HTTP.
//
// The non-test files are the Stack that wires these together; the tests in
// this package and the demo (hack/demo, `make demo`) both use it, so the demo
// shows exactly what the tests check.
//
// What a cluster would do and envtest cannot: there is no kubelet, so the
// webhook server the operator deploys never runs as a pod. The Stack runs it
// in-process instead, as the Deployment's ServiceAccount (impersonated, with
// exactly the Role the operator created), and marks the Deployment ready
// once the server's /readyz answers, as the kubelet's readiness probe would.
package e2e
