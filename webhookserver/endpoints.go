package webhookserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// errNotRoutable wraps every reason a chatbot Service cannot take traffic
// now (no Service, no such port, no ready endpoint). The batch is retried.
var errNotRoutable = errors.New("chatbot not routable")

// errExternalName refuses a serviceRef to an ExternalName Service. The
// server would have to send plain HTTP to a name outside the cluster with
// the Service's in-cluster name as Host, the wrong virtual host for any
// external server (and no TLS); a bot outside the cluster is reached with
// spec.chatbot.url instead. It wraps errNotRoutable: Meta retries.
var errExternalName = fmt.Errorf("%w: ExternalName Service (use spec.chatbot.url for a chatbot outside the cluster)", errNotRoutable)

// serviceTarget is where one delivery to a Service goes: endpoint
// addresses (host:port) in the order to try them, and the Host header.
type serviceTarget struct {
	addrs []string
	host  string
}

// endpointResolver finds the ready endpoints of a chatbot Service.
type endpointResolver interface {
	Resolve(ctx context.Context, namespace string, ref whatsappv1alpha1.ServiceReference) (serviceTarget, error)
}

// sliceResolver resolves a Service through its EndpointSlices, read from
// the informer cache, the way an ingress controller does, and spreads
// deliveries across ready endpoints round-robin.
type sliceResolver struct {
	reader client.Reader
	next   sync.Map // types.NamespacedName → *atomic.Uint64
}

// Resolve returns the ready endpoints of ref, rotated so that successive
// calls start at successive endpoints.
func (r *sliceResolver) Resolve(ctx context.Context, namespace string, ref whatsappv1alpha1.ServiceReference) (serviceTarget, error) {
	key := types.NamespacedName{Namespace: namespace, Name: ref.Name}
	var svc corev1.Service
	if err := r.reader.Get(ctx, key, &svc, client.UnsafeDisableDeepCopy); err != nil {
		if apierrors.IsNotFound(err) {
			return serviceTarget{}, fmt.Errorf("%w: Service %s not found", errNotRoutable, key)
		}
		return serviceTarget{}, fmt.Errorf("get Service %s: %w", key, err)
	}
	var slices discoveryv1.EndpointSliceList
	if err := r.reader.List(ctx, &slices, client.InNamespace(namespace),
		client.MatchingLabels{discoveryv1.LabelServiceName: ref.Name}, client.UnsafeDisableDeepCopy); err != nil {
		return serviceTarget{}, fmt.Errorf("list EndpointSlices of %s: %w", key, err)
	}
	addrs, svcPort, err := serviceEndpoints(&svc, slices.Items, ref.Port)
	if err != nil {
		return serviceTarget{}, err
	}
	counter, _ := r.next.LoadOrStore(key, new(atomic.Uint64))
	start := int((counter.(*atomic.Uint64).Add(1) - 1) % uint64(len(addrs)))
	rotated := append(append([]string{}, addrs[start:]...), addrs[:start]...)
	return serviceTarget{addrs: rotated, host: serviceHost(&svc, svcPort)}, nil
}

// serviceEndpoints returns the sorted host:port of every ready endpoint of
// svc's port named or numbered by port. A number matches the Service port,
// else (as a convenience) its targetPort; a name matches the port name. The
// endpoint port is the EndpointSlice port with the Service port's name.
// An ExternalName Service is refused (errExternalName).
func serviceEndpoints(svc *corev1.Service, slices []discoveryv1.EndpointSlice, port intstr.IntOrString) ([]string, corev1.ServicePort, error) {
	sp, ok := findServicePort(svc, port)
	if !ok {
		return nil, sp, fmt.Errorf("%w: Service %s/%s has no port %s", errNotRoutable, svc.Namespace, svc.Name, port.String())
	}
	if svc.Spec.Type == corev1.ServiceTypeExternalName {
		return nil, sp, fmt.Errorf("%w: %s/%s", errExternalName, svc.Namespace, svc.Name)
	}
	seen := map[string]bool{}
	var out []string
	for i := range slices {
		s := &slices[i]
		if s.AddressType == discoveryv1.AddressTypeFQDN {
			continue
		}
		portNum, ok := slicePort(s, sp)
		if !ok {
			continue
		}
		for _, ep := range s.Endpoints {
			if ep.Conditions.Ready != nil && !*ep.Conditions.Ready {
				continue
			}
			for _, a := range ep.Addresses {
				hp := net.JoinHostPort(a, strconv.Itoa(int(portNum)))
				if !seen[hp] {
					seen[hp] = true
					out = append(out, hp)
				}
			}
		}
	}
	if len(out) == 0 {
		return nil, sp, fmt.Errorf("%w: Service %s/%s has no ready endpoint on port %s", errNotRoutable, svc.Namespace, svc.Name, port.String())
	}
	sort.Strings(out)
	return out, sp, nil
}

// findServicePort finds the Service port a ServiceReference names.
func findServicePort(svc *corev1.Service, port intstr.IntOrString) (corev1.ServicePort, bool) {
	for _, p := range svc.Spec.Ports {
		if p.Protocol != "" && p.Protocol != corev1.ProtocolTCP {
			continue
		}
		if port.Type == intstr.String && p.Name == port.StrVal {
			return p, true
		}
		if port.Type == intstr.Int && p.Port == port.IntVal {
			return p, true
		}
	}
	if port.Type == intstr.Int {
		for _, p := range svc.Spec.Ports {
			if (p.Protocol == "" || p.Protocol == corev1.ProtocolTCP) && p.TargetPort.Type == intstr.Int && p.TargetPort.IntVal == port.IntVal {
				return p, true
			}
		}
	}
	return corev1.ServicePort{}, false
}

// slicePort returns the port number an EndpointSlice gives the Service
// port sp: the slice port with sp's name (both empty for a single unnamed
// port).
func slicePort(s *discoveryv1.EndpointSlice, sp corev1.ServicePort) (int32, bool) {
	for _, p := range s.Ports {
		name := ""
		if p.Name != nil {
			name = *p.Name
		}
		if name != sp.Name || p.Port == nil {
			continue
		}
		if p.Protocol != nil && *p.Protocol != corev1.ProtocolTCP {
			continue
		}
		return *p.Port, true
	}
	return 0, false
}

// serviceHost is the Host header for a delivery to a Service, as a client
// inside the cluster would send it.
func serviceHost(svc *corev1.Service, sp corev1.ServicePort) string {
	host := svc.Name + "." + svc.Namespace + ".svc"
	if sp.Port == 80 || sp.Port == 0 {
		return host
	}
	return net.JoinHostPort(host, strconv.Itoa(int(sp.Port)))
}
