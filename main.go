// Command whatsapp-operator runs the operator (the default) or, with the
// webhook-server subcommand, one provider's webhook server, or, with the
// relay subcommand, one provider's outbound relay.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"os"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/controllers"
	"github.com/kubechat/whatsapp-operator/internal/dialguard"
	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/podsettings"
	"github.com/kubechat/whatsapp-operator/internal/sharedstore"
	"github.com/kubechat/whatsapp-operator/relay"
	"github.com/kubechat/whatsapp-operator/webhookserver"
)

// defaultWebhookImage is used when neither --webhook-image nor
// $WEBHOOK_IMAGE is set; config/manager sets $WEBHOOK_IMAGE to the
// operator's own image.
const defaultWebhookImage = "ghcr.io/kubechat/whatsapp-operator:latest"

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func runOperator() int {
	var (
		graphURL, graphVersion, webhookImage string
		metricsAddr, probeAddr               string
		secureMetrics, http2                 bool
		showVersion                          bool
		watchNamespaces, relayImage          string
		webhookPodDefaults, relayPodDefaults string
	)
	flag.StringVar(&graphURL, "graph-api-url", envOr("GRAPH_API_URL", graph.DefaultBaseURL), "Graph API base URL (env GRAPH_API_URL): Meta, a proxy, or the simulator.")
	flag.StringVar(&graphVersion, "graph-api-version", graph.DefaultVersion, "Graph API version used when a MetaProvider sets none.")
	flag.StringVar(&webhookImage, "webhook-image", envOr("WEBHOOK_IMAGE", defaultWebhookImage), "Image of the managed webhook servers (env WEBHOOK_IMAGE); the operator's own image.")
	flag.StringVar(&relayImage, "relay-image", os.Getenv("RELAY_IMAGE"), "Image of the managed relays (env RELAY_IMAGE); default the --webhook-image (the same binary).")
	flag.StringVar(&webhookPodDefaults, "webhook-pod-defaults", os.Getenv("WEBHOOK_POD_DEFAULTS"), "Operator-wide pod settings of the webhook servers, as the JSON of a MetaProvider's spec.webhook.pod (env WEBHOOK_POD_DEFAULTS); each provider's own win.")
	flag.StringVar(&relayPodDefaults, "relay-pod-defaults", os.Getenv("RELAY_POD_DEFAULTS"), "Operator-wide pod settings of the relays, as the JSON of a MetaProvider's spec.relay.pod (env RELAY_POD_DEFAULTS); each provider's own win.")
	flag.StringVar(&metricsAddr, "metrics-bind-address", ":8443", "Metrics endpoint address (HTTPS unless --metrics-secure=false); 0 disables it.")
	flag.BoolVar(&secureMetrics, "metrics-secure", true, "Serve metrics over HTTPS with authentication and authorization.")
	flag.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "Health and readiness probe address.")
	leader := bindLeaderElection(flag.CommandLine)
	flag.BoolVar(&http2, "enable-http2", false, "Serve metrics over HTTP/2 (off: HTTP/2 Rapid Reset and Stream Cancellation CVEs).")
	flag.BoolVar(&showVersion, "version", false, "Print the version and exit.")
	flag.StringVar(&watchNamespaces, "watch-namespaces", "", "Comma-separated namespaces to watch and reconcile (needs only Roles there); empty watches every namespace.")
	zapOpts := zap.Options{}
	zapOpts.BindFlags(flag.CommandLine)
	flag.CommandLine.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "%s\n\nFlags of the operator:\n", usage)
		flag.PrintDefaults()
	}
	flag.Parse()
	if code := refuseArguments("", flag.Args()); code != exitOK {
		return code
	}
	if showVersion {
		fmt.Println(versionLine())
		return 0
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	log := ctrl.Log.WithName("setup")
	namespaces, err := controllers.ParseWatchNamespaces(watchNamespaces)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	webhookPod, err := podsettings.ParseDefaults("webhook-pod-defaults", webhookPodDefaults)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	relayPod, err := podsettings.ParseDefaults("relay-pod-defaults", relayPodDefaults)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}

	tlsOpts := []func(*tls.Config){}
	if !http2 {
		tlsOpts = append(tlsOpts, func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} })
	}
	metricsOpts := metricsserver.Options{BindAddress: metricsAddr, SecureServing: secureMetrics, TLSOpts: tlsOpts}
	if secureMetrics {
		metricsOpts.FilterProvider = filters.WithAuthenticationAndAuthorization
	}

	scheme := runtime.NewScheme()
	must(clientgoscheme.AddToScheme(scheme))
	must(whatsappv1alpha1.AddToScheme(scheme))

	mgrOpts := ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsOpts,
		HealthProbeBindAddress: probeAddr,
		Cache:                  controllers.CacheOptions(namespaces),
	}
	leader.apply(&mgrOpts)
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), mgrOpts)
	if err != nil {
		log.Error(err, "cannot create the manager")
		return 1
	}
	if err := graph.RegisterMetrics(metrics.Registry); err != nil {
		log.Error(err, "cannot register Graph API metrics")
		return 1
	}
	if err := controllers.RegisterMetrics(metrics.Registry, mgr.GetCache()); err != nil {
		log.Error(err, "cannot register object metrics")
		return 1
	}
	factory := graph.NewFactory(graph.Config{BaseURL: graphURL, Version: graphVersion, Logger: ctrl.Log.WithName("graph")})
	apiServer, err := apiServerCIDRs(mgr.GetAPIReader(), mgr.GetConfig().Host)
	if err != nil {
		log.Error(err, "cannot read the API server's endpoints: the webhook pods' egress policy opens only the addresses found", "found", apiServer)
	}
	if len(apiServer) == 0 {
		log.Info("the API server's addresses are unknown: the webhook pods' egress stays open")
	}
	if err := controllers.Setup(mgr, controllers.Options{
		Graph: factory, GraphAPIURL: graphURL, GraphAPIVersion: graphVersion, WebhookImage: webhookImage, RelayImage: relayImage,
		APIServerCIDRs: apiServer, WebhookPodDefaults: webhookPod, RelayPodDefaults: relayPod,
	}); err != nil {
		log.Error(err, "cannot set up the controllers")
		return 1
	}
	must(mgr.AddHealthzCheck("healthz", healthz.Ping))
	must(mgr.AddReadyzCheck("readyz", healthz.Ping))
	log.Info("starting", "version", version, "watchNamespaces", namespaces, "graphAPIURL", graphURL, "graphAPIVersion", graphVersion, "webhookImage", webhookImage)
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		log.Error(err, "manager stopped")
		return 1
	}
	return 0
}

func runWebhookServer(args []string) int {
	fs := flag.NewFlagSet("webhook-server", flag.ExitOnError)
	o := webhookserver.Options{}
	fs.StringVar(&o.ProviderNamespace, "provider-namespace", "", "Namespace of the MetaProvider served (required).")
	fs.StringVar(&o.ProviderName, "provider-name", "", "Name of the MetaProvider served (required).")
	fs.StringVar(&o.BindAddress, "bind-address", ":8080", "Public address: Meta's webhooks at /webhook.")
	fs.StringVar(&o.MetricsBindAddress, "metrics-bind-address", "", "Address of /metrics (plain HTTP); empty serves /metrics on --bind-address beside /webhook.")
	fs.StringVar(&o.Kubeconfig, "kubeconfig", "", "Kubeconfig path; default in-cluster config or $KUBECONFIG.")
	fs.StringVar(&o.CredentialsSecret, "credentials-secret", "", "Secret (in --provider-namespace) holding appSecret, verifyToken and forwardingKey; default <provider-name>-webhook, the one the operator writes. For running the server by hand.")
	fs.StringVar(&o.GraphAPIURL, "graph-api-url", envOr("GRAPH_API_URL", graph.DefaultBaseURL), "Graph API base URL (env GRAPH_API_URL).")
	fs.StringVar(&o.GraphAPIVersion, "graph-api-version", graph.DefaultVersion, "Graph API version.")
	var allowCIDRs string
	sharedstore.BindFlags(fs, &o.SharedState)
	fs.StringVar(&allowCIDRs, "chatbot-allow-cidrs", "", "Comma-separated ranges of the provider's spec.webhook.allowedEgressCIDRs; for chatbot dials a range re-opens a refused address (link-local, the API server) only when it lies inside that refused block, never loopback or a cloud metadata address.")
	fs.BoolVar(&o.ChatbotAllowLoopback, "chatbot-allow-loopback", false, "Let chatbot URLs reach this host's loopback addresses. Only for running the webhook server outside a cluster beside a local chatbot (make demo); in a pod loopback is the pod itself. Link-local and cloud metadata addresses stay refused.")
	zapOpts := zap.Options{}
	zapOpts.BindFlags(fs)
	_ = fs.Parse(args)
	if code := refuseArguments("webhook-server", fs.Args()); code != exitOK {
		return code
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	o.Logger = ctrl.Log.WithName("webhook-server")
	if o.ProviderNamespace == "" || o.ProviderName == "" {
		fmt.Fprintln(os.Stderr, "webhook-server: --provider-namespace and --provider-name are required")
		return 2
	}
	cidrs, err := dialguard.ParsePrefixes(allowCIDRs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "webhook-server: --chatbot-allow-cidrs:", err)
		return 2
	}
	o.ChatbotAllowCIDRs = cidrs
	if err := webhookserver.Run(ctrl.SetupSignalHandler(), o); err != nil {
		ctrl.Log.Error(err, "webhook server stopped")
		return 1
	}
	return 0
}

func runRelay(args []string) int {
	fs := flag.NewFlagSet("relay", flag.ExitOnError)
	o := relay.Options{}
	fs.StringVar(&o.ProviderNamespace, "provider-namespace", "", "Namespace of the MetaProvider served (required).")
	fs.StringVar(&o.ProviderName, "provider-name", "", "Name of the MetaProvider served (required).")
	fs.StringVar(&o.BindAddress, "bind-address", relay.DefaultBindAddress, "In-cluster address of the send API (POST /{version}/{phone-number-id}/messages and /media) and the probes.")
	fs.StringVar(&o.MetricsBindAddress, "metrics-bind-address", "", "Address of /metrics (plain HTTP); empty serves /metrics on --bind-address.")
	fs.StringVar(&o.Kubeconfig, "kubeconfig", "", "Kubeconfig path; default in-cluster config or $KUBECONFIG.")
	fs.StringVar(&o.GraphAPIURL, "graph-api-url", envOr("GRAPH_API_URL", graph.DefaultBaseURL), "Graph API base URL (env GRAPH_API_URL).")
	fs.StringVar(&o.GraphAPIVersion, "graph-api-version", graph.DefaultVersion, "Graph API version used when the MetaProvider sets none.")
	sharedstore.BindFlags(fs, &o.SharedState)
	zapOpts := zap.Options{}
	zapOpts.BindFlags(fs)
	_ = fs.Parse(args)
	if code := refuseArguments("relay", fs.Args()); code != exitOK {
		return code
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	o.Logger = ctrl.Log.WithName("relay")
	if o.ProviderNamespace == "" || o.ProviderName == "" {
		fmt.Fprintln(os.Stderr, "relay: --provider-namespace and --provider-name are required")
		return 2
	}
	if err := relay.Run(ctrl.SetupSignalHandler(), o); err != nil {
		ctrl.Log.Error(err, "relay stopped")
		return 1
	}
	return 0
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
