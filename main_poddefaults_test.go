package main

import (
	"strings"
	"testing"
)

// Pod defaults that admission would refuse on a MetaProvider are refused
// at start, naming the flag, before the operator connects anywhere.
func TestPodDefaultsAreCheckedAtStart(t *testing.T) {
	t.Parallel()
	cluster, connections := countingListener(t)
	kubeconfig := writeKubeconfig(t, cluster)
	for flag, value := range map[string]string{
		"webhook-pod-defaults": `{"labels":{"app.kubernetes.io/instance":"x"}}`,
		"relay-pod-defaults":   `{"resources":{"limits":{"memory":"16Mi"}}}`,
	} {
		code, _, stderr := runMain(t, kubeconfig, "--"+flag+"="+value)
		if code != 2 || !strings.Contains(stderr, "--"+flag) {
			t.Errorf("--%s=%s: exit %d, stderr %q; want 2 naming the flag", flag, value, code, stderr)
		}
	}
	if n := connections.Load(); n != 0 {
		t.Errorf("%d connection(s) reached the cluster", n)
	}
}
