// Package ha tests the operator's high availability as users run it: two
// operator processes (the binary, built by the test) with leader election
// against a real API server (envtest) and the Graph API simulator, the
// leader killed with SIGKILL at chosen points of template submission and
// deletion (issue 10).
package ha
