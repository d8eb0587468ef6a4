package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/webhookresources"
	"github.com/kubechat/whatsapp-operator/webhookserver"
)

// WaitTimeout bounds every wait of the Stack for the cluster.
const WaitTimeout = 30 * time.Second

// webhookStopTimeout bounds the webhook server's shutdown.
const webhookStopTimeout = 5 * time.Second

// StartWebhookServer runs the real webhook server of provider on
// WebhookURL, as the pod of the Deployment the operator manages would: as
// that Deployment's ServiceAccount, with only the Role the operator
// created for it. It waits for that Role and RoleBinding, then until the
// server's /readyz answers (caches synced, credentials loaded).
func (s *Stack) StartWebhookServer(ctx context.Context, provider string) error {
	if s.hookDone != nil {
		return errors.New("the webhook server is already running")
	}
	name := webhookresources.Name(provider)
	err := Eventually(ctx, WaitTimeout, "the operator creates the webhook server's Role and RoleBinding "+name, func(ctx context.Context) (bool, error) {
		key := client.ObjectKey{Namespace: s.Namespace, Name: name}
		if err := s.Client.Get(ctx, key, &rbacv1.Role{}); err != nil {
			return false, err
		}
		return true, s.Client.Get(ctx, key, &rbacv1.RoleBinding{})
	})
	if err != nil {
		return err
	}
	cfg := rest.CopyConfig(s.Env.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:" + s.Namespace + ":" + name}
	runCtx, cancel := context.WithCancel(context.Background())
	s.stopHook, s.hookDone = cancel, make(chan error, 1)
	listener := s.listener
	s.listener = nil // Run owns it now
	go func() {
		s.hookDone <- webhookserver.Run(runCtx, webhookserver.Options{
			ProviderNamespace: s.Namespace,
			ProviderName:      provider,
			RestConfig:        cfg,
			Listener:          listener,
			Logger:            s.log.WithName("webhook-server"),
			Registry:          s.WebhookMetrics,
			ShutdownTimeout:   webhookStopTimeout,
			// The chatbots listen on loopback, which the production
			// dialer refuses (a chatbot there would be this pod).
			DialContext: (&net.Dialer{Timeout: 3 * time.Second}).DialContext,
		})
	}()
	readyz := strings.TrimSuffix(s.WebhookURL, webhookserver.PathWebhook) + webhookserver.PathReadyz
	probe := &http.Client{Timeout: time.Second}
	return Eventually(ctx, WaitTimeout, "the webhook server answers "+readyz, func(ctx context.Context) (bool, error) {
		select {
		case err := <-s.hookDone:
			s.hookDone <- err // keep it for stopWebhookServer
			return false, Final(fmt.Errorf("the webhook server exited: %v", err))
		default:
		}
		status, err := get(ctx, probe, readyz)
		if err != nil {
			return false, err
		}
		if status != http.StatusOK {
			return false, fmt.Errorf("%s answered %d", readyz, status)
		}
		return true, nil
	})
}

// stopWebhookServer stops the server if it runs and returns its error.
func (s *Stack) stopWebhookServer() error {
	if s.stopHook == nil {
		return nil
	}
	s.stopHook()
	s.stopHook = nil
	select {
	case err := <-s.hookDone:
		return err
	case <-time.After(webhookStopTimeout + 5*time.Second):
		return errors.New("the webhook server did not stop")
	}
}

// MarkWebhookReady gives the provider's webhook Deployment the status the
// Deployment controller and the kubelet would once its pod is ready:
// envtest runs neither. Call it after StartWebhookServer, so that "ready"
// is true of the server that actually runs.
func (s *Stack) MarkWebhookReady(ctx context.Context, provider string) error {
	return s.markDeploymentReady(ctx, webhookresources.Name(provider))
}

// markDeploymentReady gives the Deployment called name every replica ready.
func (s *Stack) markDeploymentReady(ctx context.Context, name string) error {
	d := &appsv1.Deployment{}
	key := client.ObjectKey{Namespace: s.Namespace, Name: name}
	err := Eventually(ctx, WaitTimeout, "the operator creates Deployment "+key.String(), func(ctx context.Context) (bool, error) {
		return true, s.Client.Get(ctx, key, d)
	})
	if err != nil {
		return err
	}
	patch := client.MergeFrom(d.DeepCopy())
	replicas := int32(1)
	if d.Spec.Replicas != nil {
		replicas = *d.Spec.Replicas
	}
	d.Status.Replicas, d.Status.ReadyReplicas, d.Status.AvailableReplicas, d.Status.UpdatedReplicas = replicas, replicas, replicas, replicas
	d.Status.ObservedGeneration = d.Generation
	if err := s.Client.Status().Patch(ctx, d, patch); err != nil {
		return fmt.Errorf("mark Deployment %s ready: %w", key, err)
	}
	return nil
}

// ForwardingKey reads the key the operator generated for provider, which
// signs what the webhook server forwards (the Secret a chatbot mounts).
func (s *Stack) ForwardingKey(ctx context.Context, provider string) (string, error) {
	sec := &corev1.Secret{}
	key := client.ObjectKey{Namespace: s.Namespace, Name: whatsappv1alpha1.ForwardingSecretName(provider)}
	if err := s.Client.Get(ctx, key, sec); err != nil {
		return "", fmt.Errorf("read the forwarding key: %w", err)
	}
	return string(sec.Data[whatsappv1alpha1.SecretKeyForwardingKey]), nil
}

// Deliver POSTs payload to the webhook server as Meta does, signed with
// the app secret, and returns the HTTP status it answered.
func (s *Stack) Deliver(ctx context.Context, payload []byte) (int, error) {
	return s.DeliverSignedWith(ctx, AppSecret, payload)
}

// DeliverSignedWith is Deliver with another signing secret (an attacker's).
func (s *Stack) DeliverSignedWith(ctx context.Context, secret string, payload []byte) (int, error) {
	resp, err := s.Sim.DeliverWebhook(ctx, s.WebhookURL, secret, payload)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// get returns the status code of a GET of url.
func get(ctx context.Context, c *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}
