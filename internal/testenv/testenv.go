// Package testenv starts a real kube-apiserver and etcd (controller-runtime's
// envtest) with this project's CRDs installed, for integration tests.
//
// The binaries come from KUBEBUILDER_ASSETS, or from setup-envtest's store
// where `make envtest-assets` (hack/envtest-assets.sh) puts them. A missing
// binary fails the test run with a message saying how to get it; it never
// skips.
package testenv

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	k8sruntime "k8s.io/apimachinery/pkg/runtime"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// K8sVersion is the kube-apiserver version the tests run against; keep it
// equal to ENVTEST_K8S_VERSION in the Makefile.
const K8sVersion = "1.36.3"

// Env is a running API server with the CRDs installed.
type Env struct {
	Config *rest.Config
	Client client.Client
	Scheme *k8sruntime.Scheme
	env    *envtest.Environment
}

// Scheme returns a scheme with the built-in kinds and this project's kinds.
func Scheme() *k8sruntime.Scheme {
	s := k8sruntime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := whatsappv1alpha1.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
}

// Start starts the API server and installs the CRDs from config/crd/bases.
func Start() (*Env, error) {
	assets, err := assetsDir()
	if err != nil {
		return nil, err
	}
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	if err != nil {
		// Start may fail after the processes started (a CRD the API server
		// refuses): stop them, or they outlive the test binary.
		_ = env.Stop()
		return nil, fmt.Errorf("start envtest with binaries from %s: %w", assets, err)
	}
	// Tests create many objects quickly; the default client limits (5 qps)
	// would make them slow, not more realistic.
	cfg.QPS, cfg.Burst = 500, 1000
	s := Scheme()
	c, err := client.New(cfg, client.Options{Scheme: s})
	if err != nil {
		_ = env.Stop()
		return nil, err
	}
	return &Env{Config: cfg, Client: c, Scheme: s, env: env}, nil
}

// Stop stops the API server and etcd.
func (e *Env) Stop() error { return e.env.Stop() }

// GVK returns the GroupVersionKind of a kind of this project.
func GVK(kind string) schema.GroupVersionKind { return whatsappv1alpha1.GroupVersion.WithKind(kind) }

func assetsDir() (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir, nil
	}
	base := os.Getenv("XDG_DATA_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		base = filepath.Join(home, ".local", "share")
	}
	dir := filepath.Join(base, "kubebuilder-envtest", "k8s", K8sVersion+"-"+runtime.GOOS+"-"+runtime.GOARCH)
	if _, err := os.Stat(filepath.Join(dir, "kube-apiserver")); err != nil {
		return "", errors.New("envtest binaries not found: set KUBEBUILDER_ASSETS, or run `make envtest-assets` (builds kube-apiserver and etcd from the Go module proxy when they cannot be downloaded)")
	}
	return dir, nil
}

// repoRoot walks up from this source file to the directory holding go.mod.
func repoRoot() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("cannot locate the repository root")
	}
	dir := filepath.Dir(file)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above " + filepath.Dir(file))
		}
		dir = parent
	}
}

// Kubectl runs the kubectl from the envtest assets against this API server
// and returns its standard output.
func (e *Env) Kubectl(args ...string) (string, error) {
	k := e.env.ControlPlane.KubeCtl()
	stdout, stderr, err := k.Run(args...)
	out, _ := io.ReadAll(stdout)
	if err != nil {
		msg, _ := io.ReadAll(stderr)
		return string(out), fmt.Errorf("kubectl %v: %w: %s", args, err, msg)
	}
	return string(out), nil
}

// RunTests is the whole TestMain of a package whose tests share one API
// server: it starts the server, hands it to setup, runs the tests and
// stops the server, returning the exit code for os.Exit.
func RunTests(m *testing.M, setup func(*Env) error) int {
	e, err := Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() {
		if err := e.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stop envtest:", err)
		}
	}()
	if err := setup(e); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}
