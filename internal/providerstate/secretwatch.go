package providerstate

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	toolscache "k8s.io/client-go/tools/cache"
)

// secretWatcher watches exactly one Secret, the provider's credentials, with
// a field selector on its name: no other Secret is ever listed or cached, so
// a Role with resourceNames: [that Secret] is enough. When the provider
// points at another Secret, the watch moves. Only the keys of spec reach
// the sink.
type secretWatcher struct {
	clientset kubernetes.Interface
	namespace string
	spec      SecretSpec
	sink      CredentialSink
	log       logr.Logger
	// ready mirrors whether the sink holds every required key.
	ready atomic.Bool

	mu     sync.Mutex
	parent context.Context
	name   string
	stop   context.CancelFunc
	done   chan struct{}
}

// start sets the context every watch runs under.
func (w *secretWatcher) start(ctx context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.parent = ctx
}

// Ensure watches the Secret called name ("" stops watching: no provider).
func (w *secretWatcher) Ensure(name string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if name == w.name || w.parent == nil {
		return
	}
	if w.stop != nil {
		// Late events of the old watch are ignored by name; not waiting
		// for it here keeps its handlers from deadlocking on w.mu.
		w.stop()
		w.stop = nil
	}
	w.clearLocked()
	w.name = name
	if name == "" {
		w.log.Info("no provider: credentials unloaded")
		return
	}
	w.log.Info("watching the credentials Secret", "secret", name)
	ctx, stop := context.WithCancel(w.parent)
	w.stop, w.done = stop, make(chan struct{})
	inf := toolscache.NewSharedIndexInformer(w.listWatch(name), &corev1.Secret{}, 0, toolscache.Indexers{})
	_, _ = inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { w.update(name, obj) },
		UpdateFunc: func(_, obj any) { w.update(name, obj) },
		DeleteFunc: func(any) { w.clear(name) },
	})
	done := w.done
	go func() {
		defer close(done)
		inf.RunWithContext(ctx)
	}()
}

// Stop ends the current watch and waits for it.
func (w *secretWatcher) Stop() {
	w.mu.Lock()
	stop, done := w.stop, w.done
	w.stop, w.parent = nil, nil
	w.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}

// listWatch lists and watches only the Secret called name.
func (w *secretWatcher) listWatch(name string) *toolscache.ListWatch {
	selector := fields.OneTermEqualSelector("metadata.name", name).String()
	secrets := w.clientset.CoreV1().Secrets(w.namespace)
	return &toolscache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = selector
			return secrets.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = selector
			return secrets.Watch(ctx, o)
		},
	}
}

// update loads credentials from an event of the watch on name.
func (w *secretWatcher) update(name string, obj any) {
	s, ok := obj.(*corev1.Secret)
	if !ok {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if name != w.name { // a late event of a watch being replaced
		return
	}
	data := w.spec.pick(s.Data)
	w.sink.Update(data)
	complete := w.spec.complete(data)
	w.ready.Store(complete)
	w.log.Info("credentials loaded", "secret", name, "resourceVersion", s.ResourceVersion, "complete", complete)
}

// clear unloads credentials when the watched Secret is deleted.
func (w *secretWatcher) clear(name string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if name != w.name {
		return
	}
	w.clearLocked()
	w.log.Info("credentials Secret deleted: credentials unloaded", "secret", name)
}

// clearLocked empties the sink. w.mu must be held.
func (w *secretWatcher) clearLocked() {
	w.ready.Store(false)
	w.sink.Clear()
}
