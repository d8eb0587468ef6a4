package webhookserver

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/providerstate"
)

// testService is a ClusterIP Service "bot" with a named and an unnamed-style port.
func testService(ports ...corev1.ServicePort) *corev1.Service {
	svc := &corev1.Service{}
	svc.Namespace, svc.Name = testNamespace, "bot"
	svc.Spec.Ports = ports
	return svc
}

// testSlice is an EndpointSlice of "bot" with one port and endpoints.
func testSlice(name string, portName string, port int32, eps ...discoveryv1.Endpoint) discoveryv1.EndpointSlice {
	s := discoveryv1.EndpointSlice{AddressType: discoveryv1.AddressTypeIPv4, Endpoints: eps}
	s.Namespace, s.Name = testNamespace, name
	s.Labels = map[string]string{discoveryv1.LabelServiceName: "bot"}
	s.Ports = []discoveryv1.EndpointPort{{Name: &portName, Port: &port}}
	return s
}

// endpoint is a ready (nil, true) or not ready (false) endpoint.
func endpoint(ready *bool, addrs ...string) discoveryv1.Endpoint {
	return discoveryv1.Endpoint{Addresses: addrs, Conditions: discoveryv1.EndpointConditions{Ready: ready}}
}

func TestServiceEndpoints(t *testing.T) {
	yes, no := new(bool), new(bool)
	*yes = true
	httpPort := corev1.ServicePort{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}
	metricsPort := corev1.ServicePort{Name: "metrics", Port: 9090, TargetPort: intstr.FromString("metrics")}
	slices := []discoveryv1.EndpointSlice{
		testSlice("bot-a", "http", 8080, endpoint(yes, "192.0.2.10"), endpoint(no, "192.0.2.11"), endpoint(nil, "192.0.2.12")),
		testSlice("bot-b", "metrics", 9091, endpoint(yes, "192.0.2.10")),
		testSlice("bot-c", "http", 8080, endpoint(yes, "192.0.2.10")), // same endpoint, two slices
	}
	type want struct {
		addrs []string
		err   bool
	}
	cases := map[string]struct {
		reason string
		svc    *corev1.Service
		slices []discoveryv1.EndpointSlice
		port   intstr.IntOrString
		want   want
	}{
		"ByNumber": {
			reason: "port 80 is the Service port; endpoints listen on the slice's port for its name; not-ready ones are out",
			svc:    testService(httpPort, metricsPort), slices: slices, port: intstr.FromInt32(80),
			want: want{addrs: []string{"192.0.2.10:8080", "192.0.2.12:8080"}},
		},
		"ByName": {
			reason: "a port name picks the Service port of that name",
			svc:    testService(httpPort, metricsPort), slices: slices, port: intstr.FromString("metrics"),
			want: want{addrs: []string{"192.0.2.10:9091"}},
		},
		"ByTargetPort": {
			reason: "a number that is only a targetPort still finds its Service port",
			svc:    testService(httpPort, metricsPort), slices: slices, port: intstr.FromInt32(8080),
			want: want{addrs: []string{"192.0.2.10:8080", "192.0.2.12:8080"}},
		},
		"UnknownPort": {
			reason: "a port the Service lacks is not routable",
			svc:    testService(httpPort), slices: slices, port: intstr.FromString("grpc"),
			want: want{err: true},
		},
		"NoReadyEndpoints": {
			reason: "a Service whose endpoints are all not ready is not routable",
			svc:    testService(httpPort), port: intstr.FromInt32(80),
			slices: []discoveryv1.EndpointSlice{testSlice("bot-a", "http", 8080, endpoint(no, "192.0.2.10"))},
			want:   want{err: true},
		},
		"UnnamedPort": {
			reason: "a single unnamed port matches the slice port with an empty name",
			svc:    testService(corev1.ServicePort{Port: 8080, TargetPort: intstr.FromInt32(3000)}), port: intstr.FromInt32(8080),
			slices: []discoveryv1.EndpointSlice{testSlice("bot-a", "", 3000, endpoint(yes, "2001:db8::1"))},
			want:   want{addrs: []string{"[2001:db8::1]:3000"}},
		},
		"ExternalName": {
			reason: "an ExternalName Service is refused: plain HTTP with the in-cluster Host is the wrong virtual host outside (use url)",
			svc: func() *corev1.Service {
				s := testService(httpPort)
				s.Spec.Type, s.Spec.ExternalName = corev1.ServiceTypeExternalName, "bot.example.com"
				return s
			}(),
			port: intstr.FromString("http"),
			want: want{err: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			addrs, _, err := serviceEndpoints(tc.svc, tc.slices, tc.port)
			if err != nil && !errors.Is(err, errNotRoutable) {
				t.Errorf("%s\nerror %v does not wrap errNotRoutable", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want, want{addrs: addrs, err: err != nil}, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nserviceEndpoints: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSliceResolverRoundRobin(t *testing.T) {
	yes := new(bool)
	*yes = true
	svc := testService(corev1.ServicePort{Name: "http", Port: 80})
	slice := testSlice("bot-a", "http", 8080, endpoint(yes, "192.0.2.10", "192.0.2.11", "192.0.2.12"))
	reader := fake.NewClientBuilder().WithScheme(mustScheme(t)).WithObjects(svc, &slice).Build()
	r := &sliceResolver{reader: reader}
	var firsts []string
	for range 4 {
		target, err := r.Resolve(context.Background(), testNamespace, whatsappv1alpha1.ServiceReference{Name: "bot", Port: intstr.FromString("http")})
		if err != nil {
			t.Fatal(err)
		}
		firsts = append(firsts, target.addrs[0])
		if target.host != "bot.support.svc" {
			t.Errorf("Host header = %q, want the Service's cluster name", target.host)
		}
	}
	want := []string{"192.0.2.10:8080", "192.0.2.11:8080", "192.0.2.12:8080", "192.0.2.10:8080"}
	if diff := cmp.Diff(want, firsts); diff != "" {
		t.Errorf("successive deliveries start at successive endpoints: -want, +got:\n%s", diff)
	}
	_, err := r.Resolve(context.Background(), testNamespace, whatsappv1alpha1.ServiceReference{Name: "missing", Port: intstr.FromInt32(80)})
	if !errors.Is(err, errNotRoutable) {
		t.Errorf("a missing Service is not routable (retry), got %v", err)
	}
}

// mustScheme returns the scheme of the cluster side.
func mustScheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	s, err := providerstate.NewScheme()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
