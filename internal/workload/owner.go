package workload

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

const errOwnerKind = "cannot determine the MetaProvider's kind from the scheme"

// Owner is the MetaProvider every object of its workloads belongs to.
type Owner struct {
	Namespace string
	Name      string
	UID       types.UID
	GVK       schema.GroupVersionKind
}

// OwnerOf resolves p's kind through scheme.
func OwnerOf(p *v1alpha1.MetaProvider, scheme *runtime.Scheme) (Owner, error) {
	gvk, err := apiutil.GVKForObject(p, scheme)
	if err != nil {
		return Owner{}, fmt.Errorf("%s: %w", errOwnerKind, err)
	}
	return Owner{Namespace: p.Namespace, Name: p.Name, UID: p.UID, GVK: gvk}, nil
}

// StaticOwnerOf is OwnerOf without a scheme, for building objects to show
// (Desired): the kind is this API's.
func StaticOwnerOf(p *v1alpha1.MetaProvider) Owner {
	return Owner{Namespace: p.Namespace, Name: p.Name, UID: p.UID, GVK: v1alpha1.GroupVersion.WithKind("MetaProvider")}
}

// Reference makes the provider the controller of an object, so that
// deleting the provider garbage-collects it (foreground deletion waits for
// it).
func (o Owner) Reference() *metav1ac.OwnerReferenceApplyConfiguration {
	return metav1ac.OwnerReference().
		WithAPIVersion(o.GVK.GroupVersion().String()).
		WithKind(o.GVK.Kind).
		WithName(o.Name).
		WithUID(o.UID).
		WithController(true).
		WithBlockOwnerDeletion(true)
}

// String names the provider in messages: MetaProvider ns/name.
func (o Owner) String() string { return "MetaProvider " + o.Namespace + "/" + o.Name }
