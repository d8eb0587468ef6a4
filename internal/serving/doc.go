// Package serving runs a workload's HTTP servers beside the caches their
// handlers read, and stops them in the order that loses nothing: readiness
// turns false, the listeners stop accepting, in-flight requests finish
// within a deadline, then whatever must drain after them (queued
// reconcile requests), and only then the caches stop. The webhook server
// and the relay are both run this way.
package serving
