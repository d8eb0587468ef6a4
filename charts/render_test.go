// Package charts tests the Helm chart in charts/whatsapp-operator with the
// Helm SDK (helm.sh/helm/v4): it lints the chart as `helm lint` does,
// renders it for several sets of values, compares what it installs with
// the kustomize install in config/ (CRDs, the manager's RBAC rules, the
// admission policy, the hardened Deployment), and applies every rendered
// object to a real API server (envtest) with server-side dry-run.
//
// It is a package of its own so that the Helm SDK, a heavy dependency, is
// compiled only for these tests and never into the operator.
package charts

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/chart/common"
	chartutil "helm.sh/helm/v4/pkg/chart/common/util"
	"helm.sh/helm/v4/pkg/chart/v2/lint"
	"helm.sh/helm/v4/pkg/chart/v2/lint/support"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/engine"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/kubechat/whatsapp-operator/internal/testenv"
)

const (
	chartDir    = "whatsapp-operator"
	releaseName = "whatsapp-operator"
	releaseNS   = "whatsapp-operator-system"
)

// kubeVersion is the version the chart is linted and rendered for: the
// envtest API server's.
var kubeVersion = func() *common.KubeVersion {
	v, err := common.ParseKubeVersion("v" + testenv.K8sVersion)
	if err != nil {
		panic(err)
	}
	return v
}()

// lintChart runs what `helm lint --strict` runs and returns every warning
// and error.
func lintChart(t *testing.T, values map[string]any) []string {
	t.Helper()
	result := lint.RunAll(chartDir, values, releaseNS, lint.WithKubeVersion(kubeVersion))
	var problems []string
	for _, m := range result.Messages {
		if m.Severity >= support.WarningSev {
			problems = append(problems, m.Error())
		}
	}
	return problems
}

// render renders the chart as `helm template` would for an install of
// releaseName into releaseNS, and returns the objects, or the error Helm
// gives (a value the schema refuses, a fail in a template).
func render(t *testing.T, values map[string]any) ([]*unstructured.Unstructured, error) {
	t.Helper()
	chrt, err := loader.Load(chartDir)
	if err != nil {
		t.Fatal(err)
	}
	caps := common.DefaultCapabilities.Copy()
	caps.KubeVersion = *kubeVersion
	vals, err := chartutil.ToRenderValues(chrt, values, common.ReleaseOptions{
		Name: releaseName, Namespace: releaseNS, Revision: 1, IsInstall: true,
	}, caps)
	if err != nil {
		return nil, err
	}
	files, err := engine.Render(chrt, vals)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var objs []*unstructured.Unstructured
	for _, name := range names {
		if !strings.HasSuffix(name, ".yaml") {
			continue // NOTES.txt, _helpers.tpl
		}
		for _, doc := range docSeparator.Split(files[name], -1) {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			obj, err := decode([]byte(doc))
			if err != nil {
				t.Fatalf("%s renders YAML that does not decode: %v\n%s", name, err, doc)
			}
			if obj != nil {
				objs = append(objs, obj)
			}
		}
	}
	return objs, nil
}

var docSeparator = regexp.MustCompile(`(?m)^---\s*$`)

// decode reads one YAML document into an object; a document of comments
// only gives nil.
func decode(doc []byte) (*unstructured.Unstructured, error) {
	js, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(js)) == "null" {
		return nil, nil
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(js); err != nil {
		return nil, err
	}
	return u, nil
}

// readObjects decodes every document of a YAML file of the repository.
func readObjects(t *testing.T, path string) []*unstructured.Unstructured {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", path))
	if err != nil {
		t.Fatal(err)
	}
	var out []*unstructured.Unstructured
	for _, doc := range docSeparator.Split(string(raw), -1) {
		obj, err := decode([]byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if obj != nil {
			out = append(out, obj)
		}
	}
	return out
}

// find returns the rendered objects of a kind, by name.
func find(objs []*unstructured.Unstructured, kind string) map[string]*unstructured.Unstructured {
	out := map[string]*unstructured.Unstructured{}
	for _, o := range objs {
		if o.GetKind() == kind {
			key := o.GetName()
			if o.GetNamespace() != "" {
				key = o.GetNamespace() + "/" + key
			}
			out[key] = o
		}
	}
	return out
}

func mustRender(t *testing.T, values map[string]any) []*unstructured.Unstructured {
	t.Helper()
	objs, err := render(t, values)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return objs
}

// values parses a YAML values document, as -f values.yaml would.
func values(t *testing.T, doc string) map[string]any {
	t.Helper()
	v := map[string]any{}
	if err := yaml.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	return v
}
