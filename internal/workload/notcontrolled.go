package workload

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// NotControlledError is returned (wrapped) by Apply when an object it
// would write already exists and the provider is not its controller: a
// user's object of the same name, or one another provider or tool
// controls. Nothing of it was changed. It lasts until a human deletes or
// renames that object (or renames the provider): callers report it as a
// Conflict that waits for the user.
type NotControlledError struct {
	Kind, Namespace, Name string
	// Owner is the provider that wanted the name.
	Owner Owner
	// Controller is the object's controller owner reference; nil when it
	// has none (made by hand or by a tool without owner references).
	Controller *metav1.OwnerReference
}

func (e *NotControlledError) Error() string {
	by := "it has no controller (made by hand or by another tool)"
	if e.Controller != nil {
		by = fmt.Sprintf("it is controlled by %s %s", e.Controller.Kind, e.Controller.Name)
		if e.Controller.Kind == e.Owner.GVK.Kind && e.Controller.Name == e.Owner.Name {
			by += ", a deleted MetaProvider of the same name: the garbage collector removes it shortly"
		}
	}
	return fmt.Sprintf("%s %s/%s already exists and %s is not its controller (%s): the operator leaves it untouched; delete or rename it, or give the MetaProvider another name",
		e.Kind, e.Namespace, e.Name, e.Owner, by)
}
