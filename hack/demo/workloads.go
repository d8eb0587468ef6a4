package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubechat/whatsapp-operator/internal/kubeconfigfile"
	"github.com/kubechat/whatsapp-operator/test/e2e"
)

// tokenLifetime is what the demo asks for its workloads' tokens: longer
// than anyone keeps a demo running (the API server may grant less).
const tokenLifetime = 48 * time.Hour

// workload is one of the Deployments the operator manages for a provider,
// which the demo runs as a process of the operator's binary.
type workload struct {
	// name is the Deployment's (and its ServiceAccount's, Role's) name.
	name string
	// address is where it listens here; readyz its readiness path.
	address, readyz string
	// flags are what running outside a pod adds to the Deployment's own
	// command line.
	flags []string
}

// startWorkload waits until the operator created w's Deployment,
// ServiceAccount, Role and RoleBinding, gets a token of that
// ServiceAccount, runs the operator's binary with the Deployment's own
// arguments (its subcommand, provider, Graph API URL, ...), a loopback
// address instead of the pod's port and a kubeconfig holding only that
// token, and waits for its readiness probe. Then it marks the Deployment
// ready, as the kubelet would (there is none here).
func (d *demo) startWorkload(w workload) (*process, error) {
	key := client.ObjectKey{Namespace: namespace, Name: w.name}
	err := e2e.Eventually(d.ctx, settle, "the operator creates the ServiceAccount, Role and RoleBinding "+key.String(), func(ctx context.Context) (bool, error) {
		for _, obj := range []client.Object{&appsv1.Deployment{}, &corev1.ServiceAccount{}, &rbacv1.Role{}, &rbacv1.RoleBinding{}} {
			if err := d.client.Get(ctx, key, obj); err != nil {
				return false, err
			}
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	kubeconfig := filepath.Join(d.dir, w.name+".kubeconfig")
	if err := kubeconfigfile.ServiceAccount(d.ctx, d.env.Config, namespace, w.name, kubeconfig, tokenLifetime); err != nil {
		return nil, err
	}
	dep := &appsv1.Deployment{}
	if err := d.client.Get(d.ctx, key, dep); err != nil {
		return nil, err
	}
	if len(dep.Spec.Template.Spec.Containers) == 0 {
		return nil, fmt.Errorf("Deployment %s has no container", key)
	}
	// Later flags win: the pod's ports become loopback addresses here.
	args := append(append([]string(nil), dep.Spec.Template.Spec.Containers[0].Args...),
		"--bind-address", w.address, "--metrics-bind-address=", "--kubeconfig", kubeconfig)
	args = append(args, w.flags...)
	p, err := startProcess(w.name, filepath.Join(d.dir, w.name+".log"), d.bin.operator, args...)
	if err != nil {
		return nil, err
	}
	d.children = append(d.children, p)
	d.commands = append(d.commands, "whatsapp-operator "+joinArgs(args))
	if err := waitHTTP(d.ctx, p, "http://"+w.address+w.readyz); err != nil {
		return p, err
	}
	return p, d.markDeploymentReady(w.name)
}

// waitHTTP waits until url answers 200, failing at once when p exits.
func waitHTTP(ctx context.Context, p *process, url string) error {
	probe := &http.Client{Timeout: time.Second}
	return e2e.Eventually(ctx, settle, p.name+" answers "+url, func(ctx context.Context) (bool, error) {
		if exited, err := p.exited(); exited {
			return false, e2e.Final(err)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return false, err
		}
		resp, err := probe.Do(req)
		if err != nil {
			return false, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return false, fmt.Errorf("%s answered %d", url, resp.StatusCode)
		}
		return true, nil
	})
}

// markDeploymentReady gives Deployment name every replica ready, as the
// Deployment controller and the kubelet would once its pod is ready.
func (d *demo) markDeploymentReady(name string) error {
	dep := &appsv1.Deployment{}
	key := client.ObjectKey{Namespace: namespace, Name: name}
	if err := d.client.Get(d.ctx, key, dep); err != nil {
		return err
	}
	patch := client.MergeFrom(dep.DeepCopy())
	replicas := int32(1)
	if dep.Spec.Replicas != nil {
		replicas = *dep.Spec.Replicas
	}
	dep.Status.Replicas, dep.Status.ReadyReplicas, dep.Status.AvailableReplicas, dep.Status.UpdatedReplicas = replicas, replicas, replicas, replicas
	dep.Status.ObservedGeneration = dep.Generation
	if err := d.client.Status().Patch(d.ctx, dep, patch); err != nil {
		return fmt.Errorf("mark Deployment %s ready: %w", key, err)
	}
	return nil
}
