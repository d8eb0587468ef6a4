package providerstate

import (
	"errors"
	"fmt"
	"os"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// errNoConfig is returned when no kubeconfig and no in-cluster config exist.
var errNoConfig = errors.New("no Kubernetes configuration: pass --kubeconfig, set KUBECONFIG, or run in a pod")

// RestConfig finds the API server: explicit (a copy of it), kubeconfig,
// $KUBECONFIG, in-cluster, then ~/.kube/config, as kubectl and
// controller-runtime do. userAgent names the caller in the API server's
// audit log.
func RestConfig(explicit *rest.Config, kubeconfig, userAgent string) (*rest.Config, error) {
	var cfg *rest.Config
	var err error
	switch {
	case explicit != nil:
		cfg = rest.CopyConfig(explicit)
	case kubeconfig != "":
		cfg, err = clientcmd.BuildConfigFromFlags("", kubeconfig)
	case os.Getenv("KUBECONFIG") == "" && os.Getenv("KUBERNETES_SERVICE_HOST") != "":
		cfg, err = rest.InClusterConfig()
	default:
		rules := clientcmd.NewDefaultClientConfigLoadingRules()
		cfg, err = clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).ClientConfig()
		if clientcmd.IsEmptyConfig(err) {
			err = errNoConfig
		}
	}
	if err != nil {
		return nil, fmt.Errorf("kubernetes configuration: %w", err)
	}
	cfg.UserAgent = userAgent
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = 20, 40
	}
	return cfg, nil
}
