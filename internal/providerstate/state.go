package providerstate

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// Options configure a State. Namespace, Provider and Credentials are
// required.
type Options struct {
	// Namespace and Provider identify the MetaProvider.
	Namespace string
	Provider  string
	// Secret says which Secret is watched and which of its keys are kept.
	Secret SecretSpec
	// Credentials receives the kept keys of the Secret.
	Credentials CredentialSink
	// ExtraKinds are cached beside the provider, its channels and its
	// templates, in the provider's namespace (the inbound side caches
	// Services and EndpointSlices). Reading any other kind through Reader
	// fails instead of starting a namespace-wide informer.
	ExtraKinds []client.Object
	// OnChange, when set, receives a Snapshot once the caches synced and
	// after every later event of the provider or a channel (bursts
	// coalesce into one call). Calls come from Run's goroutine, one at a
	// time; Synced turns true only after the first returned.
	OnChange func(Snapshot)
	// Logger receives the state's logs.
	Logger logr.Logger
}

// Snapshot is the provider and its channels as the caches hold them.
type Snapshot struct {
	// Provider is nil when the MetaProvider does not exist.
	Provider *whatsappv1alpha1.MetaProvider
	// Channels are the channels of the namespace whose spec.providerRef
	// names the provider, in no particular order.
	Channels []whatsappv1alpha1.WhatsAppChannel
}

// State is one MetaProvider's cluster state. Build it with New and start
// it with Run.
type State struct {
	opts    Options
	cache   cache.Cache
	live    client.Client
	secrets *secretWatcher
	synced  atomic.Bool
	trigger chan struct{}
}

// baseKinds are cached for every consumer.
func baseKinds() []client.Object {
	return []client.Object{&whatsappv1alpha1.MetaProvider{}, &whatsappv1alpha1.WhatsAppChannel{}, &whatsappv1alpha1.MessageTemplate{}}
}

// New builds the caches and clients; nothing runs until Run.
func New(ctx context.Context, cfg *rest.Config, opts Options) (*State, error) {
	if opts.Namespace == "" || opts.Provider == "" || opts.Credentials == nil {
		return nil, errors.New("providerstate: Namespace, Provider and Credentials are required")
	}
	scheme, err := NewScheme()
	if err != nil {
		return nil, err
	}
	c, err := cache.New(cfg, cache.Options{
		Scheme:                      scheme,
		DefaultNamespaces:           map[string]cache.Config{opts.Namespace: {}},
		DefaultTransform:            cache.TransformStripManagedFields(),
		ReaderFailOnMissingInformer: true,
		ByObject: map[client.Object]cache.ByObject{
			&whatsappv1alpha1.MetaProvider{}: {Field: fields.OneTermEqualSelector("metadata.name", opts.Provider)},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("create cache: %w", err)
	}
	live, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("create client: %w", err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("create clientset: %w", err)
	}
	s := &State{
		opts:    opts,
		cache:   c,
		live:    live,
		secrets: &secretWatcher{clientset: cs, namespace: opts.Namespace, spec: opts.Secret, sink: opts.Credentials, log: opts.Logger},
		trigger: make(chan struct{}, 1),
	}
	poke := toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { s.poke() },
		UpdateFunc: func(any, any) { s.poke() },
		DeleteFunc: func(any) { s.poke() },
	}
	for _, obj := range append(baseKinds(), opts.ExtraKinds...) {
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
	return s, nil
}

// Synced reports whether the caches synced and the first Snapshot was
// handed to OnChange.
func (s *State) Synced() bool { return s.synced.Load() }

// CredentialsReady reports whether the watched Secret holds every
// required key.
func (s *State) CredentialsReady() bool { return s.secrets.ready.Load() }

// Reader reads the caches: the provider, its channels and templates, and
// the extra kinds, in the provider's namespace only.
func (s *State) Reader() client.Reader { return s.cache }

// Live is an uncached client, for patches and for double-checking the
// cache against the API server.
func (s *State) Live() client.Client { return s.live }

// Provider returns a copy of the MetaProvider from the cache, nil when it
// does not exist.
func (s *State) Provider(ctx context.Context) (*whatsappv1alpha1.MetaProvider, error) {
	var p whatsappv1alpha1.MetaProvider
	err := s.cache.Get(ctx, types.NamespacedName{Namespace: s.opts.Namespace, Name: s.opts.Provider}, &p)
	switch {
	case err == nil:
		return &p, nil
	case apierrors.IsNotFound(err):
		return nil, nil
	default:
		return nil, fmt.Errorf("get MetaProvider: %w", err)
	}
}

// Channels returns the channels whose spec.providerRef names the provider.
func (s *State) Channels(ctx context.Context) ([]whatsappv1alpha1.WhatsAppChannel, error) {
	var list whatsappv1alpha1.WhatsAppChannelList
	if err := s.cache.List(ctx, &list, client.InNamespace(s.opts.Namespace)); err != nil {
		return nil, fmt.Errorf("list WhatsAppChannels: %w", err)
	}
	out := list.Items[:0]
	for _, ch := range list.Items {
		if ch.Spec.ProviderRef.Name == s.opts.Provider {
			out = append(out, ch)
		}
	}
	return out, nil
}

// Templates returns the templates whose spec.providerRef names the
// provider. The objects are shared with the cache: do not modify them.
func (s *State) Templates(ctx context.Context) ([]whatsappv1alpha1.MessageTemplate, error) {
	var list whatsappv1alpha1.MessageTemplateList
	if err := s.cache.List(ctx, &list, client.InNamespace(s.opts.Namespace), client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("list MessageTemplates: %w", err)
	}
	out := list.Items[:0]
	for _, t := range list.Items {
		if t.Spec.ProviderRef.Name == s.opts.Provider {
			out = append(out, t)
		}
	}
	return out, nil
}
