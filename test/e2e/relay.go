package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubechat/whatsapp-operator/internal/relayresources"
	"github.com/kubechat/whatsapp-operator/relay"
)

// relayStopTimeout bounds the relay's shutdown.
const relayStopTimeout = 5 * time.Second

// StartRelay runs the real outbound relay of provider on a loopback port
// (RelayURL), as the pod of the relay Deployment the operator manages
// would: as that Deployment's ServiceAccount, with only the Role the
// operator created for it, sending to the simulator. It waits for that
// Role and RoleBinding, then until the relay's /readyz answers (caches
// synced, access token loaded).
func (s *Stack) StartRelay(ctx context.Context, provider string) error {
	if s.relayDone != nil {
		return errors.New("the relay is already running")
	}
	name := relayresources.Name(provider)
	err := Eventually(ctx, WaitTimeout, "the operator creates the relay's Role and RoleBinding "+name, func(ctx context.Context) (bool, error) {
		key := client.ObjectKey{Namespace: s.Namespace, Name: name}
		if err := s.Client.Get(ctx, key, &rbacv1.Role{}); err != nil {
			return false, err
		}
		return true, s.Client.Get(ctx, key, &rbacv1.RoleBinding{})
	})
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen for the relay: %w", err)
	}
	s.RelayURL = "http://" + l.Addr().String()
	s.RelayMetrics = prometheus.NewRegistry()
	cfg := rest.CopyConfig(s.Env.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:" + s.Namespace + ":" + name}
	runCtx, cancel := context.WithCancel(context.Background())
	s.stopRelay, s.relayDone = cancel, make(chan error, 1)
	go func() {
		s.relayDone <- relay.Run(runCtx, relay.Options{
			ProviderNamespace: s.Namespace,
			ProviderName:      provider,
			RestConfig:        cfg,
			Listener:          l,
			GraphAPIURL:       s.SimURL,
			GraphAPIVersion:   GraphAPIVersion,
			Logger:            s.log.WithName("relay"),
			Registry:          s.RelayMetrics,
			ShutdownTimeout:   relayStopTimeout,
		})
	}()
	readyz := s.RelayURL + relay.PathReadyz
	probe := &http.Client{Timeout: time.Second}
	return Eventually(ctx, WaitTimeout, "the relay answers "+readyz, func(ctx context.Context) (bool, error) {
		select {
		case err := <-s.relayDone:
			s.relayDone <- err // keep it for stopRelayServer
			return false, Final(fmt.Errorf("the relay exited: %v", err))
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

// stopRelayServer stops the relay if it runs and returns its error.
func (s *Stack) stopRelayServer() error {
	if s.stopRelay == nil {
		return nil
	}
	s.stopRelay()
	s.stopRelay = nil
	select {
	case err := <-s.relayDone:
		return err
	case <-time.After(relayStopTimeout + 5*time.Second):
		return errors.New("the relay did not stop")
	}
}

// MarkRelayReady gives the provider's relay Deployment the status the
// Deployment controller and the kubelet would once its pod is ready. Call
// it after StartRelay.
func (s *Stack) MarkRelayReady(ctx context.Context, provider string) error {
	return s.markDeploymentReady(ctx, relayresources.Name(provider))
}
