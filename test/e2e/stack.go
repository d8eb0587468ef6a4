package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/kubechat/whatsapp-operator/controllers"
	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
	"github.com/kubechat/whatsapp-operator/internal/testenv"
	"github.com/kubechat/whatsapp-operator/internal/workload"
)

// Options configure a Stack.
type Options struct {
	// Env is the running API server (testenv.Start).
	Env *testenv.Env
	// Namespace holds the user's objects; it is created if missing. The
	// controllers' cache is restricted to it, so Stacks in different
	// namespaces share one API server without seeing each other.
	Namespace string
	// OtherNamespaces are further namespaces the controllers watch (they
	// are created if missing): other tenants of the same cluster.
	OtherNamespaces []string
	// ReviewDelay and Review decide submitted templates automatically at
	// the simulated Meta; an empty Review.Status keeps them PENDING until
	// Sim.SetTemplateStatus.
	ReviewDelay time.Duration
	Review      graphsim.Review
	// Logger receives the controllers' and the webhook server's logs;
	// the zero value discards them.
	Logger logr.Logger
	// SharedStoreAllow re-opens addresses the operator's check of a
	// provider's shared store refuses (a redis-server on loopback).
	SharedStoreAllow []netip.Prefix
}

// Stack is the operator with everything around it, on loopback ports.
type Stack struct {
	Env       *testenv.Env
	Client    client.Client
	Namespace string
	// Sim is the simulated Graph API, served at SimURL.
	Sim    *graphsim.Server
	SimURL string
	// WebhookURL is the webhook server's /webhook (Meta's side). It is
	// the app's callback at the simulator from the start; the server
	// answers once StartWebhookServer ran.
	WebhookURL string
	// WebhookMetrics is the webhook server's metrics registry.
	WebhookMetrics *prometheus.Registry
	// RelayURL is the relay's base URL (what a bot's WhatsApp client takes
	// instead of Meta's) once StartRelay ran; RelayMetrics its registry.
	RelayURL     string
	RelayMetrics *prometheus.Registry

	otherNamespaces []string
	storeAllow      []netip.Prefix
	log             logr.Logger
	simServer       *httptest.Server
	listener        net.Listener // the webhook server's, opened early for its URL
	stopMgr         context.CancelFunc
	mgrDone         chan error
	stopHook        context.CancelFunc
	hookDone        chan error
	stopRelay       context.CancelFunc
	relayDone       chan error
}

// Start starts the simulator and the controllers. The webhook server waits
// for its provider: see StartWebhookServer. Call Close when done.
func Start(ctx context.Context, opts Options) (*Stack, error) {
	if opts.Env == nil || opts.Namespace == "" {
		return nil, errors.New("e2e: Options.Env and Options.Namespace are required")
	}
	log := opts.Logger
	if log.GetSink() == nil {
		log = logr.Discard()
	}
	s := &Stack{Env: opts.Env, Client: opts.Env.Client, Namespace: opts.Namespace, otherNamespaces: opts.OtherNamespaces, storeAllow: opts.SharedStoreAllow, log: log, WebhookMetrics: prometheus.NewRegistry()}
	for _, name := range append([]string{opts.Namespace}, opts.OtherNamespaces...) {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
		if err := s.Client.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
			return nil, fmt.Errorf("create namespace %s: %w", name, err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the webhook server: %w", err)
	}
	s.listener = l
	s.WebhookURL = "http://" + l.Addr().String() + "/webhook"

	s.Sim = graphsim.New(graphsim.Options{
		ReviewDelay: opts.ReviewDelay, ReviewOutcome: opts.Review,
		HTTPClient: &http.Client{Timeout: 10 * time.Second},
	})
	s.simServer = httptest.NewServer(s.Sim)
	s.SimURL = s.simServer.URL
	if err := seedSimulator(s.Sim, s.WebhookURL); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.startManager(); err != nil {
		s.Close()
		return nil, fmt.Errorf("start the controllers: %w", err)
	}
	return s, nil
}

// startManager runs the operator's controllers as main.go does, with the
// cache restricted to the Stack's namespaces (and, for the objects the
// operator owns, to its labels), talking to the simulator.
func (s *Stack) startManager() error {
	skipNameValidation := true // several Stacks run in one process
	namespaces := map[string]cache.Config{s.Namespace: {}}
	for _, ns := range s.otherNamespaces {
		namespaces[ns] = cache.Config{}
	}
	mgr, err := ctrl.NewManager(s.Env.Config, ctrl.Options{
		Scheme:                 s.Env.Scheme,
		Logger:                 s.log.WithName("operator"),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Controller:             config.Controller{SkipNameValidation: &skipNameValidation},
		Cache: cache.Options{
			DefaultNamespaces: namespaces,
			ByObject:          workload.CacheByObject(),
		},
	})
	if err != nil {
		return err
	}
	factory := graph.NewFactory(graph.Config{
		BaseURL:    s.SimURL,
		Version:    GraphAPIVersion,
		HTTPClient: &http.Client{Timeout: 5 * time.Second},
		// The simulator enforces no budget here; the client-side limiters
		// are tested in internal/graph.
		Limits: graph.Limits{Disabled: true},
		Logger: s.log.WithName("graph"),
	})
	if err := controllers.Setup(mgr, controllers.Options{
		Graph: factory, GraphAPIURL: s.SimURL, GraphAPIVersion: GraphAPIVersion,
		WebhookImage: "whatsapp-operator:e2e", SharedStoreAllow: s.storeAllow,
	}); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stopMgr, s.mgrDone = cancel, make(chan error, 1)
	go func() { s.mgrDone <- mgr.Start(ctx) }()
	return nil
}

// Close stops everything the Stack started (not the API server) and
// returns the first error a component reported while stopping.
func (s *Stack) Close() error {
	var errs []error
	if s.stopMgr != nil {
		s.stopMgr()
		errs = append(errs, <-s.mgrDone)
		s.stopMgr = nil
	}
	errs = append(errs, s.stopWebhookServer(), s.stopRelayServer())
	if s.listener != nil {
		_ = s.listener.Close() // already closed when the server ran
		s.listener = nil
	}
	if s.Sim != nil {
		s.Sim.Close()
	}
	if s.simServer != nil {
		s.simServer.Close()
		s.simServer = nil
	}
	return errors.Join(errs...)
}
