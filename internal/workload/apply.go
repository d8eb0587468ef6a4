package workload

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const errApply = "cannot apply %s %s/%s"

// Object is one object's apply configuration, with what Apply and the
// guard need to know of it.
type Object struct {
	// Kind names the object in messages ("Service").
	Kind string
	// Namespace and Name locate it.
	Namespace, Name string
	// Config is what server-side apply sends.
	Config runtime.ApplyConfiguration
	// New returns an empty typed object of the kind, for reads and for
	// Desired.
	New func() client.Object
	// Uncached marks a kind the operator does not cache (Secrets): the
	// guard reads its metadata through the API server only.
	Uncached bool
}

// Clients are the two ways the operator reads: Client (the manager's
// cached client, which also writes) and Live (the API server itself, for
// objects the cache cannot see: those without the operator's labels, and
// Secrets).
type Clients struct {
	Client client.Client
	Live   client.Reader
}

// Apply writes objs in order with server-side apply (FieldManager, forced
// ownership). Before each write the guard checks that the object does not
// exist or that owner controls it; an object someone else made stops Apply
// with a *NotControlledError and is left untouched. The first failure
// stops Apply; the next call resumes (every step is idempotent). An
// unchanged object is not modified (its resourceVersion stays).
func Apply(ctx context.Context, c Clients, owner Owner, objs []Object) error {
	for _, o := range objs {
		if err := guard(ctx, c, owner, o); err != nil {
			return err
		}
		if err := c.Client.Apply(ctx, o.Config, client.FieldOwner(FieldManager), client.ForceOwnership); err != nil {
			return fmt.Errorf(errApply+": %w", o.Kind, o.Namespace, o.Name, err)
		}
	}
	return nil
}
