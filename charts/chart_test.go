package charts

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/kubechat/whatsapp-operator/internal/podsettings"
	"github.com/kubechat/whatsapp-operator/internal/testenv"
)

var env *testenv.Env

// The namespaces the scoped values watch; they exist in the API server,
// as they must before a Role can be created in them.
var scopedNamespaces = []string{"team-a", "team-b"}

func TestMain(m *testing.M) {
	os.Exit(testenv.RunTests(m, func(e *testenv.Env) error {
		env = e
		// The ServiceMonitor is checked against prometheus-operator's real
		// schema (test/crds, make monitoring-crds), the guide's HTTPRoute
		// against the Gateway API's (make gateway-crds).
		if _, err := envtest.InstallCRDs(e.Config, envtest.CRDInstallOptions{
			Paths: []string{
				filepath.Join("..", "test", "crds", "monitoring.coreos.com"),
				// The guide's HTTPRoute, against the Gateway API's schema.
				filepath.Join("..", "test", "crds", "gateway.networking.k8s.io"),
			}, ErrorIfPathMissing: true,
		}); err != nil {
			return err
		}
		for _, ns := range append([]string{releaseNS, "monitoring"}, scopedNamespaces...) {
			if err := e.Client.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
				return err
			}
		}
		return nil
	}))
}

// nonDefaultValues exercise every value that changes what is rendered.
const nonDefaultValues = `
replicaCount: 2
image:
  repository: registry.example.com/mirror/whatsapp-operator
  digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  pullPolicy: Always
imagePullSecrets: [{name: mirror-pull}]
webhookServer:
  image: {repository: registry.example.com/mirror/whatsapp-webhook, tag: v0.1.0-hardened}
  pod:
    nodeSelector: {node.example.com/pool: edge}
    priorityClassName: webhook-critical
    labels: {example.com/cost-center: "42"}
relay:
  pod:
    resources: {limits: {memory: 1Gi}}
    tolerations: [{key: dedicated, operator: Equal, value: relay, effect: NoSchedule}]
leaderElection: {enabled: true}
logLevel: debug
graphAPI: {url: "https://graph-proxy.example.com", version: v24.0}
watchNamespaces: [team-a, team-b]
crds: {enabled: true, keep: false}
rbac: {aggregateToDefaultRoles: false}
resources:
  requests: {cpu: 100m, memory: 128Mi}
  limits: {memory: 512Mi}
podAnnotations: {example.com/team: platform}
podLabels: {example.com/cost-center: "42"}
nodeSelector: {kubernetes.io/os: linux}
tolerations: [{key: dedicated, operator: Equal, value: platform, effect: NoSchedule}]
priorityClassName: system-cluster-critical
extraArgs: [--enable-http2=false]
metrics:
  port: 9443
  serviceMonitor:
    enabled: true
    labels: {release: prometheus}
    interval: 30s
  podMonitors:
    enabled: true
    labels: {release: prometheus}
    interval: 30s
  prometheusRule:
    enabled: true
    labels: {release: prometheus}
  grafanaDashboard:
    enabled: true
    namespace: monitoring
`

// minimalValues turn off every optional part and use an existing
// ServiceAccount.
const minimalValues = `
crds: {enabled: false}
admissionPolicies: {enabled: false}
rbac: {aggregateToDefaultRoles: false}
leaderElection: {enabled: false}
serviceAccount: {create: false, name: existing-operator}
metrics: {enabled: false}
`

func TestChartLintsRendersAndIsAcceptedByTheAPIServer(t *testing.T) {
	cases := map[string]struct {
		reason string
		values string
		check  func(t *testing.T, objs []*unstructured.Unstructured)
	}{
		"defaults": {
			reason: "helm install with no values installs what kubectl apply -k config/default installs",
			check:  checkDefaults,
		},
		"scoped, mirrored, monitored": {
			reason: "every value reaches the object it is meant for, and the scoped mode grants only Roles",
			values: nonDefaultValues,
			check:  checkNonDefaults,
		},
		"minimal": {
			reason: "the optional parts can all be turned off",
			values: minimalValues,
			check:  checkMinimal,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			vals := values(t, tc.values)
			if problems := lintChart(t, vals); len(problems) > 0 {
				t.Errorf("helm lint --strict (%s):\n%s", tc.reason, strings.Join(problems, "\n"))
			}
			objs := mustRender(t, vals)
			tc.check(t, objs)
			for _, o := range objs {
				applyDryRun(t, o)
			}
		})
	}
}

// applyDryRun applies obj with server-side apply and dry-run: the API
// server validates it fully (schema, CEL, RBAC escalation checks,
// admission) and stores nothing.
func applyDryRun(t *testing.T, obj *unstructured.Unstructured) {
	t.Helper()
	err := env.Client.Apply(context.Background(), client.ApplyConfigurationFromUnstructured(obj),
		client.DryRunAll, client.FieldOwner("helm"), client.ForceOwnership)
	if err != nil {
		t.Errorf("the API server refuses %s %s/%s: %v", obj.GetKind(), obj.GetNamespace(), obj.GetName(), err)
	}
}

func checkDefaults(t *testing.T, objs []*unstructured.Unstructured) {
	checkCRDsAreConfigCRDs(t, objs, true)
	roles := find(objs, "ClusterRole")
	manager := roles["whatsapp-operator-manager-role"]
	if manager == nil {
		t.Fatalf("no ClusterRole whatsapp-operator-manager-role; ClusterRoles: %v", keys(roles))
	}
	if d := cmp.Diff(configManagerRules(t), manager.Object["rules"]); d != "" {
		t.Errorf("the chart's manager ClusterRole differs from config/rbac/role.yaml (-config +chart):\n%s", d)
	}
	if len(find(objs, "Role")) != 1 { // leader election only
		t.Errorf("default install renders Roles %v, want only the leader election Role", keys(find(objs, "Role")))
	}
	for _, want := range []string{"whatsapp-operator-editor", "whatsapp-operator-viewer", "whatsapp-operator-metrics-reader", "whatsapp-operator-metrics-auth-role"} {
		if roles[want] == nil {
			t.Errorf("no ClusterRole %s", want)
		}
	}

	dep := deployment(t, objs)
	kustomized := configManagerDeployment(t)
	for _, path := range [][]string{
		{"spec", "template", "spec", "securityContext"},
		{"spec", "template", "spec", "containers", "0", "securityContext"},
		{"spec", "template", "spec", "containers", "0", "resources"},
	} {
		if d := cmp.Diff(get(t, kustomized, path...), get(t, dep, path...)); d != "" {
			t.Errorf("%s differs from config/manager/manager.yaml (-kustomize +chart):\n%s", strings.Join(path, "."), d)
		}
	}
	image := get(t, dep, "spec", "template", "spec", "containers", "0", "image")
	if want := kustomizeImage(t); image != want {
		t.Errorf("image %v, want the kustomize install's %s", image, want)
	}
	args := containerArgs(t, dep)
	for _, want := range []string{"--leader-elect=true", "--metrics-bind-address=:8443", "--metrics-secure=true", "--zap-log-level=info"} {
		if !slices.Contains(args, want) {
			t.Errorf("args %v lack %s", args, want)
		}
	}
	for _, a := range args {
		if strings.HasPrefix(a, "--watch-namespaces") || strings.HasPrefix(a, "--graph-api") {
			t.Errorf("default install passes %s; the operator's defaults should hold", a)
		}
	}
	env := containerEnv(t, dep)
	if env["WEBHOOK_IMAGE"] != image || env["RELAY_IMAGE"] != image {
		t.Errorf("webhook and relay images %q, %q; want the operator's own %v", env["WEBHOOK_IMAGE"], env["RELAY_IMAGE"], image)
	}

	checkPolicyIsConfigPolicy(t, objs)
	if svc := find(objs, "Service")["whatsapp-operator-system/whatsapp-operator-metrics"]; svc == nil {
		t.Error("no metrics Service")
	}
	for _, kind := range []string{"ServiceMonitor", "PodMonitor", "PrometheusRule"} {
		if len(find(objs, kind)) != 0 {
			t.Errorf("a %s is rendered by default; clusters without prometheus-operator would refuse it", kind)
		}
	}
}

func checkNonDefaults(t *testing.T, objs []*unstructured.Unstructured) {
	checkCRDsAreConfigCRDs(t, objs, false)
	// Scoped: the manager's rules as a Role in each watched namespace,
	// nothing cluster-wide but the metrics authentication APIs.
	roles := find(objs, "Role")
	for _, ns := range scopedNamespaces {
		r := roles[ns+"/whatsapp-operator-manager-role"]
		if r == nil {
			t.Fatalf("no manager Role in %s; Roles: %v", ns, keys(roles))
		}
		if d := cmp.Diff(configManagerRules(t), r.Object["rules"]); d != "" {
			t.Errorf("the manager Role in %s differs from config/rbac/role.yaml:\n%s", ns, d)
		}
		if find(objs, "RoleBinding")[ns+"/whatsapp-operator-manager-rolebinding"] == nil {
			t.Errorf("no manager RoleBinding in %s", ns)
		}
	}
	for name, b := range find(objs, "ClusterRoleBinding") {
		if ref := get(t, b, "roleRef", "name"); ref != "whatsapp-operator-metrics-auth-role" {
			t.Errorf("scoped install binds the operator cluster-wide through %s to %v", name, ref)
		}
	}
	if roles := find(objs, "ClusterRole"); roles["whatsapp-operator-manager-role"] != nil || roles["whatsapp-operator-editor"] != nil {
		t.Errorf("ClusterRoles %v; want neither the manager's nor the aggregated ones", keys(roles))
	}

	dep := deployment(t, objs)
	if got := get(t, dep, "spec", "replicas"); got != int64(2) {
		t.Errorf("replicas %v", got)
	}
	const image = "registry.example.com/mirror/whatsapp-operator@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	if got := get(t, dep, "spec", "template", "spec", "containers", "0", "image"); got != image {
		t.Errorf("image %v, want %s", got, image)
	}
	args := containerArgs(t, dep)
	for _, want := range []string{
		"--watch-namespaces=team-a,team-b", "--zap-log-level=debug", "--graph-api-url=https://graph-proxy.example.com",
		"--graph-api-version=v24.0", "--metrics-bind-address=:9443", "--enable-http2=false", "--leader-elect=true",
	} {
		if !slices.Contains(args, want) {
			t.Errorf("args %v lack %s", args, want)
		}
	}
	env := containerEnv(t, dep)
	if want := "registry.example.com/mirror/whatsapp-webhook:v0.1.0-hardened"; env["WEBHOOK_IMAGE"] != want {
		t.Errorf("WEBHOOK_IMAGE %q, want %q", env["WEBHOOK_IMAGE"], want)
	}
	if env["RELAY_IMAGE"] != image {
		t.Errorf("RELAY_IMAGE %q, want the operator's image %q when relay.image is unset", env["RELAY_IMAGE"], image)
	}
	// The pod defaults reach the operator as the flags' JSON, which it
	// reads with the rules admission applies to a provider's own.
	webhookPod, err := podsettings.ParseDefaults("webhook-pod-defaults", env["WEBHOOK_POD_DEFAULTS"])
	if err != nil || webhookPod == nil || webhookPod.NodeSelector["node.example.com/pool"] != "edge" || webhookPod.PriorityClassName != "webhook-critical" || webhookPod.Labels["example.com/cost-center"] != "42" {
		t.Errorf("WEBHOOK_POD_DEFAULTS %q reads as %+v, %v", env["WEBHOOK_POD_DEFAULTS"], webhookPod, err)
	}
	relayPod, err := podsettings.ParseDefaults("relay-pod-defaults", env["RELAY_POD_DEFAULTS"])
	if err != nil || relayPod == nil || relayPod.Resources == nil || relayPod.Resources.Limits.Memory != "1Gi" || len(relayPod.Tolerations) != 1 {
		t.Errorf("RELAY_POD_DEFAULTS %q reads as %+v, %v", env["RELAY_POD_DEFAULTS"], relayPod, err)
	}
	pod := []string{"spec", "template", "spec"}
	for path, want := range map[string]any{
		"priorityClassName":                    "system-cluster-critical",
		"nodeSelector.kubernetes\\.io/os":      "linux",
		"tolerations.0.key":                    "dedicated",
		"imagePullSecrets.0.name":              "mirror-pull",
		"containers.0.imagePullPolicy":         "Always",
		"containers.0.resources.limits.memory": "512Mi",
	} {
		if got := get(t, dep, append(pod, splitPath(path)...)...); got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	if got := get(t, dep, "spec", "template", "metadata", "labels", "example.com/cost-center"); got != "42" {
		t.Errorf("pod label %v", got)
	}
	if got := get(t, dep, "spec", "template", "metadata", "annotations", "example.com/team"); got != "platform" {
		t.Errorf("pod annotation %v", got)
	}

	sm := find(objs, "ServiceMonitor")["whatsapp-operator-system/whatsapp-operator"]
	if sm == nil {
		t.Fatalf("no ServiceMonitor")
	}
	if got := get(t, sm, "spec", "endpoints", "0", "scheme"); got != "https" {
		t.Errorf("ServiceMonitor scheme %v", got)
	}
	svc := find(objs, "Service")["whatsapp-operator-system/whatsapp-operator-metrics"]
	sel, _, _ := unstructured.NestedStringMap(sm.Object, "spec", "selector", "matchLabels")
	if svc == nil || !selects(sel, svc.GetLabels()) {
		t.Errorf("the ServiceMonitor's selector %v does not select the metrics Service", sel)
	}
	if get(t, svc, "spec", "ports", "0", "name") != get(t, sm, "spec", "endpoints", "0", "port") {
		t.Error("the ServiceMonitor scrapes a port the Service does not name")
	}
	checkMonitoringIsConfigMonitoring(t, objs)
}

func checkMinimal(t *testing.T, objs []*unstructured.Unstructured) {
	var kinds []string
	for _, o := range objs {
		kinds = append(kinds, o.GetKind()+"/"+o.GetName())
	}
	slices.Sort(kinds)
	want := []string{"ClusterRole/whatsapp-operator-manager-role", "ClusterRoleBinding/whatsapp-operator-manager-rolebinding", "Deployment/whatsapp-operator"}
	if d := cmp.Diff(want, kinds); d != "" {
		t.Errorf("rendered objects (-want +got):\n%s", d)
	}
	dep := deployment(t, objs)
	if got := get(t, dep, "spec", "template", "spec", "serviceAccountName"); got != "existing-operator" {
		t.Errorf("serviceAccountName %v", got)
	}
	args := containerArgs(t, dep)
	for _, want := range []string{"--metrics-bind-address=0", "--leader-elect=false"} {
		if !slices.Contains(args, want) {
			t.Errorf("args %v lack %s", args, want)
		}
	}
	subject := get(t, find(objs, "ClusterRoleBinding")["whatsapp-operator-manager-rolebinding"], "subjects", "0", "name")
	if subject != "existing-operator" {
		t.Errorf("the manager role is bound to %v", subject)
	}
}

// TestChartRefusesBadValues: a value that cannot work is refused at
// helm install with a message naming it, before anything reaches the
// cluster.
func TestChartRefusesBadValues(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		reason string
		values string
		want   string
	}{
		"namespace name": {reason: "a typo would leave a team's namespace silently unwatched", values: `watchNamespaces: [Team_A]`, want: "watchNamespaces"},
		"log level":      {reason: "the operator would exit at start", values: `logLevel: verbose`, want: "logLevel"},
		"two leaders":    {reason: "two replicas without leader election fight over every object", values: "replicaCount: 2\nleaderElection: {enabled: false}", want: "leaderElection.enabled"},
		"graph version":  {reason: "Graph API versions look like v25.0", values: `graphAPI: {version: "25"}`, want: "graphAPI"},
		"unknown value":  {reason: "a misspelt value must not be ignored", values: `watchNamespace: [team-a]`, want: "watchNamespace"},
		"digest":         {reason: "a digest that is not one pins nothing", values: `image: {digest: latest}`, want: "digest"},
		"pod selector label": {
			reason: "a default label on app.kubernetes.io/instance would take the pods from their Deployment, Service and NetworkPolicy",
			values: `webhookServer: {pod: {labels: {app.kubernetes.io/instance: other}}}`, want: "invalid propertyName 'app.kubernetes.io/instance'",
		},
		"pod setting misspelt": {reason: "a misspelt pod setting must not be ignored", values: `relay: {pod: {nodeSelectors: {pool: edge}}}`, want: "nodeSelectors"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := render(t, values(t, tc.values))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: render error %v, want one naming %q", tc.reason, err, tc.want)
			}
		})
	}
}

// TestChartCRDFilesAreConfigCRDs: the chart's copies (make manifests) are
// byte for byte the generated CRDs.
func TestChartCRDFilesAreConfigCRDs(t *testing.T) {
	t.Parallel()
	want, _ := filepath.Glob("../config/crd/bases/*.yaml")
	got, _ := filepath.Glob(chartDir + "/files/crds/*.yaml")
	if len(want) == 0 || len(want) != len(got) {
		t.Fatalf("config/crd/bases has %d CRDs, the chart %d; run make manifests", len(want), len(got))
	}
	for _, path := range want {
		a, _ := os.ReadFile(path)
		b, err := os.ReadFile(filepath.Join(chartDir, "files", "crds", filepath.Base(path)))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: the chart's copy differs (%v); run make manifests", path, err)
		}
	}
}

// TestKustomizeAndChartPinTheSameRelease: the default kustomize install and
// the chart install the same image tag, and it is not latest.
func TestKustomizeAndChartPinTheSameRelease(t *testing.T) {
	t.Parallel()
	image := kustomizeImage(t)
	if strings.HasSuffix(image, ":latest") || !strings.Contains(image, ":v") {
		t.Errorf("config/manager pins %s; want a release tag", image)
	}
	chart := map[string]any{}
	raw, err := os.ReadFile(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yamlUnmarshal(raw, &chart); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(image, ":"+fmt.Sprint(chart["appVersion"])) {
		t.Errorf("config/manager pins %s, the chart's appVersion is %v", image, chart["appVersion"])
	}
}
