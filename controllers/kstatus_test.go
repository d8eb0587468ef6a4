package controllers_test

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// kstatus computes what sigs.k8s.io/cli-utils/pkg/kstatus (used by Flux,
// Argo CD's gitops-engine and `kubectl wait`-style tooling) reports for a
// custom resource, by its generic rules: a stale observedGeneration or
// Reconciling=True is InProgress, Stalled=True is Failed, anything else is
// Current. (cli-utils itself cannot be fetched from this machine's module
// proxy, so its documented rules are restated here.)
//
// Like cli-utils, an absent observedGeneration (0) skips the generation
// check.
func kstatus(generation, observedGeneration int64, conds []metav1.Condition) string {
	if observedGeneration != 0 && observedGeneration != generation {
		return "InProgress"
	}
	for _, c := range conds {
		if c.Type == "Reconciling" && c.Status == metav1.ConditionTrue {
			return "InProgress"
		}
		if c.Type == "Stalled" && c.Status == metav1.ConditionTrue {
			return "Failed"
		}
	}
	return "Current"
}
