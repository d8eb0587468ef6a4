package charts

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// keepAnnotation is what the chart adds to the CRDs with crds.keep.
const keepAnnotation = "helm.sh/resource-policy"

// checkCRDsAreConfigCRDs: the rendered CRDs are config/crd/bases', field
// for field, with only the keep annotation added.
func checkCRDsAreConfigCRDs(t *testing.T, objs []*unstructured.Unstructured, keep bool) {
	t.Helper()
	rendered := find(objs, "CustomResourceDefinition")
	paths, _ := filepath.Glob("../config/crd/bases/*.yaml")
	if len(paths) == 0 || len(rendered) != len(paths) {
		t.Fatalf("%d CRDs rendered, %d in config/crd/bases", len(rendered), len(paths))
	}
	for _, path := range paths {
		want := readObjects(t, strings.TrimPrefix(path, "../"))[0]
		got := rendered[want.GetName()]
		if got == nil {
			t.Errorf("CRD %s is not rendered", want.GetName())
			continue
		}
		got = got.DeepCopy()
		ann := got.GetAnnotations()
		if keep != (ann[keepAnnotation] == "keep") {
			t.Errorf("CRD %s: annotation %s=%q with crds.keep=%v", got.GetName(), keepAnnotation, ann[keepAnnotation], keep)
		}
		delete(ann, keepAnnotation)
		got.SetAnnotations(ann)
		if d := cmp.Diff(want.Object, got.Object); d != "" {
			t.Errorf("CRD %s differs from %s (-config +chart):\n%s", want.GetName(), path, d)
		}
	}
}

// checkPolicyIsConfigPolicy: the admission policies and their bindings are
// config/policy's, named with the release prefix; the operator policy's
// params (its ConfigMap) name this release's ServiceAccount and the images
// its manager passes to the workloads it runs.
func checkPolicyIsConfigPolicy(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	var want []*unstructured.Unstructured
	for _, o := range append(readObjects(t, "config/policy/webhook-server-annotation-only.yaml"), readObjects(t, "config/policy/operator-writes.yaml")...) {
		if o.GetKind() != "ConfigMap" {
			want = append(want, o)
		}
	}
	checkOperatorPolicyParams(t, objs)
	for _, want := range want {
		got := find(objs, want.GetKind())["whatsapp-operator-"+want.GetName()]
		if got == nil {
			t.Errorf("%s whatsapp-operator-%s is not rendered", want.GetKind(), want.GetName())
			continue
		}
		wantSpec := want.DeepCopy().Object["spec"].(map[string]any)
		if name, ok := wantSpec["policyName"].(string); ok {
			wantSpec["policyName"] = "whatsapp-operator-" + name
		}
		if ref, ok := wantSpec["paramRef"].(map[string]any); ok && ref["name"] != nil {
			// A named params object is this release's (checked above).
			ref["name"] = "whatsapp-operator-" + ref["name"].(string)
			ref["namespace"] = releaseNS
		}
		if d := cmp.Diff(wantSpec, got.Object["spec"]); d != "" {
			t.Errorf("%s differs from config/policy (-config +chart):\n%s", want.GetKind(), d)
		}
	}
}

// checkOperatorPolicyParams: the params of the operator's own policy name
// the release's ServiceAccount and the images its manager runs workloads
// with, as config/default's replacements do for the kustomize install.
func checkOperatorPolicyParams(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	cm := find(objs, "ConfigMap")[releaseNS+"/whatsapp-operator-operator-policy-params"]
	if cm == nil {
		t.Fatalf("no ConfigMap %s/whatsapp-operator-operator-policy-params; ConfigMaps: %v", releaseNS, keys(find(objs, "ConfigMap")))
	}
	data, _, _ := unstructured.NestedStringMap(cm.Object, "data")
	var sa string
	for _, o := range objs {
		if o.GetKind() == "ServiceAccount" {
			sa = "system:serviceaccount:" + o.GetNamespace() + ":" + o.GetName()
		}
	}
	env := containerEnv(t, deployment(t, objs))
	want := map[string]string{"serviceAccount": sa, "webhookImage": env["WEBHOOK_IMAGE"], "relayImage": env["RELAY_IMAGE"]}
	if d := cmp.Diff(want, data); d != "" {
		t.Errorf("the operator policy's params do not name this release (-want +got):\n%s", d)
	}
}

// configManagerRules are the rules controller-gen wrote to config/rbac/role.yaml.
func configManagerRules(t *testing.T) any {
	t.Helper()
	return readObjects(t, "config/rbac/role.yaml")[0].Object["rules"]
}

func configManagerDeployment(t *testing.T) *unstructured.Unstructured {
	t.Helper()
	for _, o := range readObjects(t, "config/manager/manager.yaml") {
		if o.GetKind() == "Deployment" {
			return o
		}
	}
	t.Fatal("config/manager/manager.yaml has no Deployment")
	return nil
}

// kustomizeImage is the image config/default installs: config/manager's
// images entry.
func kustomizeImage(t *testing.T) string {
	t.Helper()
	k := struct {
		Images []struct{ Name, NewName, NewTag string } `json:"images"`
	}{}
	raw, err := os.ReadFile("../config/manager/kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, &k); err != nil || len(k.Images) != 1 {
		t.Fatalf("config/manager/kustomization.yaml: %v, images %v", err, k.Images)
	}
	return k.Images[0].NewName + ":" + k.Images[0].NewTag
}

func deployment(t *testing.T, objs []*unstructured.Unstructured) *unstructured.Unstructured {
	t.Helper()
	d := find(objs, "Deployment")
	if len(d) != 1 {
		t.Fatalf("want one Deployment, rendered %v", keys(d))
	}
	for _, o := range d {
		return o
	}
	return nil
}

func containerArgs(t *testing.T, dep *unstructured.Unstructured) []string {
	t.Helper()
	raw, _ := get(t, dep, "spec", "template", "spec", "containers", "0", "args").([]any)
	var out []string
	for _, a := range raw {
		out = append(out, a.(string))
	}
	return out
}

func containerEnv(t *testing.T, dep *unstructured.Unstructured) map[string]string {
	t.Helper()
	raw, _ := get(t, dep, "spec", "template", "spec", "containers", "0", "env").([]any)
	out := map[string]string{}
	for _, e := range raw {
		m := e.(map[string]any)
		out[m["name"].(string)], _ = m["value"].(string)
	}
	return out
}

// get walks maps by key and lists by index; a missing step gives nil.
func get(t *testing.T, obj *unstructured.Unstructured, path ...string) any {
	t.Helper()
	if obj == nil {
		return nil
	}
	var cur any = obj.Object
	for _, p := range path {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

// splitPath splits a dotted path; `\.` is a dot inside a key.
func splitPath(p string) []string {
	parts := strings.Split(strings.ReplaceAll(p, `\.`, "\x00"), ".")
	for i := range parts {
		parts[i] = strings.ReplaceAll(parts[i], "\x00", ".")
	}
	return parts
}

func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func yamlUnmarshal(raw []byte, v any) error { return yaml.Unmarshal(raw, v) }
