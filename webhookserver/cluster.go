package webhookserver

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// cluster is the webhook server's view of the API server: informer caches
// restricted to the provider's namespace (the provider itself by name, its
// channels, templates, Services and EndpointSlices), the one credentials
// Secret, an uncached client for patches and live checks, and the route
// table rebuilt whenever the provider or a channel changes.
type cluster struct {
	namespace string
	provider  string
	log       logr.Logger
	metrics   *metrics

	cache   cache.Cache
	api     client.Client // uncached
	secrets *secretWatcher

	table   atomic.Pointer[RouteTable]
	synced  atomic.Bool
	trigger chan struct{}
}

// watchedKinds are the kinds cached; anything else read through the cache
// fails instead of silently starting a namespace-wide informer.
func watchedKinds() []client.Object {
	return []client.Object{
		&whatsappv1alpha1.MetaProvider{}, &whatsappv1alpha1.WhatsAppChannel{}, &whatsappv1alpha1.MessageTemplate{},
		&corev1.Service{}, &discoveryv1.EndpointSlice{},
	}
}

// newScheme holds the built-in kinds and this project's.
func newScheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return nil, err
	}
	return s, whatsappv1alpha1.AddToScheme(s)
}

// newCluster builds the caches and clients; nothing runs until run.
func newCluster(ctx context.Context, cfg *rest.Config, opts Options, creds *credentialStore, m *metrics) (*cluster, error) {
	scheme, err := newScheme()
	if err != nil {
		return nil, err
	}
	c, err := cache.New(cfg, cache.Options{
		Scheme:                      scheme,
		DefaultNamespaces:           map[string]cache.Config{opts.ProviderNamespace: {}},
		DefaultTransform:            cache.TransformStripManagedFields(),
		ReaderFailOnMissingInformer: true,
		ByObject: map[client.Object]cache.ByObject{
			&whatsappv1alpha1.MetaProvider{}: {Field: fields.OneTermEqualSelector("metadata.name", opts.ProviderName)},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("create cache: %w", err)
	}
	api, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("create client: %w", err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("create clientset: %w", err)
	}
	cl := &cluster{
		namespace: opts.ProviderNamespace,
		provider:  opts.ProviderName,
		log:       opts.Logger,
		metrics:   m,
		cache:     c,
		api:       api,
		secrets:   &secretWatcher{clientset: cs, namespace: opts.ProviderNamespace, creds: creds, log: opts.Logger},
		trigger:   make(chan struct{}, 1),
	}
	poke := toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { cl.poke() },
		UpdateFunc: func(any, any) { cl.poke() },
		DeleteFunc: func(any) { cl.poke() },
	}
	for _, obj := range watchedKinds() {
		inf, err := c.GetInformer(ctx, obj)
		if err != nil {
			return nil, fmt.Errorf("informer for %T: %w", obj, err)
		}
		switch obj.(type) {
		case *whatsappv1alpha1.MetaProvider, *whatsappv1alpha1.WhatsAppChannel:
			if _, err := inf.AddEventHandler(poke); err != nil {
				return nil, err
			}
		}
	}
	return cl, nil
}

// Table returns the current route table, nil until the caches synced.
func (c *cluster) Table() *RouteTable { return c.table.Load() }

// Synced reports whether the caches synced.
func (c *cluster) Synced() bool { return c.synced.Load() }

// run starts the caches, builds the first route table once they synced,
// then rebuilds it on every provider or channel event until ctx ends.
func (c *cluster) run(ctx context.Context) error {
	c.secrets.start(ctx)
	defer c.secrets.Stop()
	cacheErr := make(chan error, 1)
	go func() { cacheErr <- c.cache.Start(ctx) }()
	if !c.cache.WaitForCacheSync(ctx) {
		select {
		case err := <-cacheErr:
			return fmt.Errorf("start caches: %w", err)
		default:
			return ctx.Err()
		}
	}
	if err := c.rebuild(ctx); err != nil {
		return err
	}
	c.synced.Store(true)
	c.log.Info("caches synced", "routes", c.Table().Len())
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-cacheErr:
			if err != nil {
				return fmt.Errorf("caches stopped: %w", err)
			}
			return nil
		case <-c.trigger:
			if err := c.rebuild(ctx); err != nil {
				c.log.Error(err, "cannot rebuild the route table; keeping the previous one")
			}
		}
	}
}

// poke asks for a rebuild; bursts of events coalesce into one.
func (c *cluster) poke() {
	select {
	case c.trigger <- struct{}{}:
	default:
	}
}

// rebuild reads the provider and channels from the cache, swaps in a new
// route table if routing changed and makes the Secret watch follow the
// provider.
func (c *cluster) rebuild(ctx context.Context) error {
	var provider *whatsappv1alpha1.MetaProvider
	var p whatsappv1alpha1.MetaProvider
	err := c.cache.Get(ctx, types.NamespacedName{Namespace: c.namespace, Name: c.provider}, &p)
	switch {
	case err == nil:
		provider = &p
	case apierrors.IsNotFound(err):
	default:
		return fmt.Errorf("get MetaProvider: %w", err)
	}
	var channels whatsappv1alpha1.WhatsAppChannelList
	if err := c.cache.List(ctx, &channels, client.InNamespace(c.namespace)); err != nil {
		return fmt.Errorf("list WhatsAppChannels: %w", err)
	}
	prev := c.table.Load()
	t := nextRouteTable(prev, provider, channels.Items)
	if t != prev {
		c.table.Store(t)
		c.metrics.routes.Set(float64(t.Len()))
	}
	secretName := ""
	if provider != nil {
		secretName = provider.Spec.CredentialsSecretRef.Name
	} else {
		c.log.Info("MetaProvider not found: nothing is routed and credentials are unloaded")
	}
	c.secrets.Ensure(secretName)
	return nil
}
