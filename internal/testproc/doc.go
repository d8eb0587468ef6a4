// Package testproc runs the operator's binary as users run it, for the
// tests that need real processes (test/ha, test/scaleout): it builds the
// binary once, picks free loopback ports, and starts
// processes in their own process group, killed with everything they
// started when the test ends. Their kubeconfigs come from
// internal/kubeconfigfile.
//
//	build.go       BuildOperator: go build of the module's main package
//	process.go     Process: Start, Alive, Kill, Logs; FreeLoopbackAddress; WaitHTTP
package testproc
