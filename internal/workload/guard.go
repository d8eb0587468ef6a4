package workload

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const errGuardRead = "cannot check who controls %s %s/%s"

// guard lets Apply write o only when it does not exist yet or owner is its
// controller. Forced server-side apply would otherwise take over an object
// a user made under the same name (a Role "acme-webhook" of their own, a
// Deployment) and, with the owner reference, hand it to the garbage
// collector.
//
// The cache holds only objects with the operator's label, so a name it
// does not know is read again from the API server: a user's object has no
// such label. In the steady state every object is in the cache and
// controlled by owner, and the guard costs no request. An object created
// by someone else between the guard's read and the apply is the one window
// left; the next reconcile cannot tell it apart from ours, since the apply
// made it ours.
func guard(ctx context.Context, c Clients, owner Owner, o Object) error {
	refs, found, err := ownerReferences(ctx, c, o)
	if err != nil {
		return fmt.Errorf(errGuardRead+": %w", o.Kind, o.Namespace, o.Name, err)
	}
	if !found {
		return nil
	}
	controller := controllerOf(refs)
	if controller != nil && controller.UID == owner.UID {
		return nil
	}
	return &NotControlledError{Kind: o.Kind, Namespace: o.Namespace, Name: o.Name, Owner: owner, Controller: controller}
}

// ownerReferences reads o's owner references, from the cache first unless
// o is Uncached, then from the API server.
func ownerReferences(ctx context.Context, c Clients, o Object) ([]metav1.OwnerReference, bool, error) {
	key := client.ObjectKey{Namespace: o.Namespace, Name: o.Name}
	if !o.Uncached {
		obj := o.New()
		err := c.Client.Get(ctx, key, obj)
		if err == nil {
			return obj.GetOwnerReferences(), true, nil
		}
		if !apierrors.IsNotFound(err) {
			return nil, false, err
		}
	}
	if c.Live == nil {
		return nil, false, nil
	}
	meta := &metav1.PartialObjectMetadata{}
	meta.SetGroupVersionKind(kindOf(c, o))
	err := c.Live.Get(ctx, key, meta)
	if apierrors.IsNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return meta.GetOwnerReferences(), true, nil
}

// kindOf resolves o's group, version and kind through the client's scheme.
func kindOf(c Clients, o Object) schema.GroupVersionKind {
	gvk, err := c.Client.GroupVersionKindFor(o.New())
	if err != nil {
		// Every kind here is a built-in one the scheme knows; a failure is
		// a programming error that the Get below reports.
		return schema.GroupVersionKind{Kind: o.Kind}
	}
	return gvk
}

// controllerOf returns the owner reference with controller: true, if any.
func controllerOf(refs []metav1.OwnerReference) *metav1.OwnerReference {
	for i := range refs {
		if refs[i].Controller != nil && *refs[i].Controller {
			return &refs[i]
		}
	}
	return nil
}
