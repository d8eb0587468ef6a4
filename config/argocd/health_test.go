// Package argocd tests the Argo CD health checks shipped in
// resource_customizations/ (Argo CD's own layout) and keeps
// argocd-cm-patch.yaml in sync with them.
//
// The scripts run in github.com/yuin/gopher-lua, the interpreter Argo CD
// embeds, the way Argo CD runs them (util/lua in argo-cd): the object is a
// Lua table in the global `obj`, the script's returned table carries status
// and message. Each case runs twice: with only the base, table and package
// libraries (a script from argocd-cm without useOpenLibs) and with every
// library open (a built-in script in Argo CD's resource_customizations).
//
// Regenerate the ConfigMap patch after editing a script:
//
//	go test ./config/argocd -run TestConfigMapPatch -update
package argocd

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

var update = flag.Bool("update", false, "rewrite argocd-cm-patch.yaml from the health.lua scripts")

const (
	customizationsDir = "resource_customizations"
	crdDir            = "../crd/bases"
	patchFile         = "argocd-cm-patch.yaml"
	healthScript      = "health.lua"
	healthTests       = "health_test.yaml"
)

// validStatuses are the health codes Argo CD accepts from a script; any
// other value becomes Unknown ("Lua returned an invalid health status").
var validStatuses = []string{"Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"}

// gvk is a group and kind served by the operator's CRDs.
type gvk struct{ group, kind string }

func (k gvk) dir() string { return filepath.Join(customizationsDir, k.group, k.kind) }

// configMapKey is the argocd-cm key of the kind's health check.
func (k gvk) configMapKey() string {
	return "resource.customizations.health." + k.group + "_" + k.kind
}

// served reads group and kind from every CRD the operator installs, so a
// new kind without a health check fails the tests.
func served(t *testing.T) []gvk {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(crdDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []gvk
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var crd struct {
			Kind string `json:"kind"`
			Spec struct {
				Group string `json:"group"`
				Names struct {
					Kind string `json:"kind"`
				} `json:"names"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal(data, &crd); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if crd.Kind != "CustomResourceDefinition" || crd.Spec.Group == "" || crd.Spec.Names.Kind == "" {
			t.Fatalf("%s: not a CustomResourceDefinition with spec.group and spec.names.kind", f)
		}
		kinds = append(kinds, gvk{crd.Spec.Group, crd.Spec.Names.Kind})
	}
	sort.Slice(kinds, func(i, j int) bool { return kinds[i].kind < kinds[j].kind })
	// Guard the CRD reading itself: these three are the API's contract.
	for _, want := range []string{"MessageTemplate", "MetaProvider", "WhatsAppChannel"} {
		if !slices.ContainsFunc(kinds, func(k gvk) bool { return k.group == whatsappv1alpha1.GroupVersion.Group && k.kind == want }) {
			t.Fatalf("no CRD in %s serves %s/%s (found %v)", crdDir, whatsappv1alpha1.GroupVersion.Group, want, kinds)
		}
	}
	return kinds
}

// typed returns an empty object of the kind, to check test inputs against
// the real API types.
func typed(kind string) runtime.Object {
	switch kind {
	case "MetaProvider":
		return &whatsappv1alpha1.MetaProvider{}
	case "WhatsAppChannel":
		return &whatsappv1alpha1.WhatsAppChannel{}
	case "MessageTemplate":
		return &whatsappv1alpha1.MessageTemplate{}
	}
	return nil
}

func readScript(t *testing.T, k gvk) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(k.dir(), healthScript))
	if err != nil {
		t.Fatalf("%s/%s has no health check: %v", k.group, k.kind, err)
	}
	return string(data)
}

// healthStatus is what a script returns, as Argo CD decodes it.
type healthStatus struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// healthTestFile is Argo CD's health_test.yaml format.
type healthTestFile struct {
	Tests []struct {
		HealthStatus healthStatus `json:"healthStatus"`
		InputPath    string       `json:"inputPath"`
	} `json:"tests"`
}

// libMode is a set of Lua libraries a script runs with.
type libMode struct {
	name     string
	openLibs bool
}

var libModes = []libMode{
	// argocd-cm scripts run with SkipOpenLibs plus package, base, table
	// (and Argo CD's own restricted os, which these scripts do not use).
	{name: "argocd-cm", openLibs: false},
	// Built-in scripts (Argo CD's resource_customizations) get every library.
	{name: "built-in", openLibs: true},
}

// runHealth runs script against obj (decoded JSON) as Argo CD does.
func runHealth(script string, obj map[string]any, mode libMode) (healthStatus, error) {
	L := lua.NewState(lua.Options{SkipOpenLibs: !mode.openLibs})
	defer L.Close()
	if !mode.openLibs {
		for _, lib := range []struct {
			name string
			open lua.LGFunction
		}{
			{lua.LoadLibName, lua.OpenPackage},
			{lua.BaseLibName, lua.OpenBase},
			{lua.TabLibName, lua.OpenTable},
		} {
			if err := L.CallByParam(lua.P{Fn: L.NewFunction(lib.open), NRet: 0, Protect: true}, lua.LString(lib.name)); err != nil {
				return healthStatus{}, fmt.Errorf("open %s: %w", lib.name, err)
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	L.SetContext(ctx)

	value, err := toLua(L, obj)
	if err != nil {
		return healthStatus{}, err
	}
	L.SetGlobal("obj", value)
	if err := L.DoString(script); err != nil {
		return healthStatus{}, err
	}
	ret, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		return healthStatus{}, fmt.Errorf("expect table output from Lua script, not %s", L.Get(-1).Type())
	}
	var hs healthStatus
	for field, dst := range map[string]*string{"status": &hs.Status, "message": &hs.Message} {
		switch v := ret.RawGetString(field).(type) {
		case lua.LString:
			*dst = string(v)
		case *lua.LNilType:
		default:
			return healthStatus{}, fmt.Errorf("hs.%s is a %s, not a string", field, v.Type())
		}
	}
	return hs, nil
}

// toLua converts decoded JSON into Lua values like Argo CD's decodeValue
// (util/lua/lua.go): maps become hash tables, lists become arrays (1-based),
// every number a Lua number. Unknown types are an error, not a silent nil.
func toLua(L *lua.LState, v any) (lua.LValue, error) {
	switch x := v.(type) {
	case nil:
		return lua.LNil, nil
	case bool:
		return lua.LBool(x), nil
	case string:
		return lua.LString(x), nil
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return lua.LNumber(i), nil
		}
		f, err := x.Float64()
		if err != nil {
			return nil, fmt.Errorf("number %q: %w", x, err)
		}
		return lua.LNumber(f), nil
	case int64:
		return lua.LNumber(x), nil
	case float64:
		return lua.LNumber(x), nil
	case []any:
		tbl := L.CreateTable(len(x), 0)
		for _, item := range x {
			lv, err := toLua(L, item)
			if err != nil {
				return nil, err
			}
			tbl.Append(lv)
		}
		return tbl, nil
	case map[string]any:
		tbl := L.CreateTable(0, len(x))
		for key, item := range x {
			lv, err := toLua(L, item)
			if err != nil {
				return nil, err
			}
			tbl.RawSetH(lua.LString(key), lv)
		}
		return tbl, nil
	}
	return nil, fmt.Errorf("cannot convert %T to Lua", v)
}

// decodeObject turns a YAML object into what the API server's JSON decodes
// to: integers stay integers (int64 in the controller), floats float64.
func decodeObject(data []byte) (map[string]any, error) {
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, fmt.Errorf("empty document")
	}
	return obj, nil
}

// TestHealthChecks runs every case of every kind's health_test.yaml.
func TestHealthChecks(t *testing.T) {
	for _, k := range served(t) {
		t.Run(k.kind, func(t *testing.T) {
			script := readScript(t, k)
			data, err := os.ReadFile(filepath.Join(k.dir(), healthTests))
			if err != nil {
				t.Fatalf("%s/%s has no %s: %v", k.group, k.kind, healthTests, err)
			}
			var tests healthTestFile
			if err := yaml.UnmarshalStrict(data, &tests); err != nil {
				t.Fatalf("%s: %v", healthTests, err)
			}
			if len(tests.Tests) == 0 {
				t.Fatalf("%s lists no tests", healthTests)
			}

			covered := map[string]bool{}
			used := map[string]bool{}
			for _, tc := range tests.Tests {
				if used[tc.InputPath] {
					t.Errorf("%s is listed twice in %s", tc.InputPath, healthTests)
				}
				used[tc.InputPath] = true
				covered[tc.HealthStatus.Status] = true
				name := strings.TrimSuffix(filepath.Base(tc.InputPath), ".yaml")
				t.Run(name, func(t *testing.T) {
					input, err := os.ReadFile(filepath.Join(k.dir(), tc.InputPath))
					if err != nil {
						t.Fatal(err)
					}
					// The input must be an object the API server would hold.
					into := typed(k.kind)
					if into == nil {
						t.Fatalf("no Go type for %s: add it to typed()", k.kind)
					}
					if err := yaml.UnmarshalStrict(input, into); err != nil {
						t.Fatalf("%s is not a valid %s: %v", tc.InputPath, k.kind, err)
					}
					obj, err := decodeObject(input)
					if err != nil {
						t.Fatalf("%s: %v", tc.InputPath, err)
					}
					if obj["apiVersion"] != whatsappv1alpha1.GroupVersion.String() || obj["kind"] != k.kind {
						t.Fatalf("%s is a %v %v, not a %s %s", tc.InputPath, obj["apiVersion"], obj["kind"], whatsappv1alpha1.GroupVersion, k.kind)
					}
					for _, mode := range libModes {
						got, err := runHealth(script, obj, mode)
						if err != nil {
							t.Fatalf("%s (%s libraries): %v", tc.InputPath, mode.name, err)
						}
						if got != tc.HealthStatus {
							t.Errorf("%s (%s libraries):\n got  %+v\n want %+v", tc.InputPath, mode.name, got, tc.HealthStatus)
						}
					}
				})
			}

			for _, status := range []string{"Healthy", "Progressing", "Degraded"} {
				if !covered[status] {
					t.Errorf("%s has no case that ends %s", healthTests, status)
				}
			}
			inputs, err := filepath.Glob(filepath.Join(k.dir(), "testdata", "*"))
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range inputs {
				rel, _ := filepath.Rel(k.dir(), in)
				if !used[filepath.ToSlash(rel)] {
					t.Errorf("%s is not used by %s", rel, healthTests)
				}
			}
		})
	}
}

// TestNoStrayCustomizations fails on a script for a kind the operator
// does not serve (a renamed kind would otherwise leave a dead check).
func TestNoStrayCustomizations(t *testing.T) {
	kinds := served(t)
	dirs, err := filepath.Glob(filepath.Join(customizationsDir, "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		k := gvk{filepath.Base(filepath.Dir(d)), filepath.Base(d)}
		if !slices.Contains(kinds, k) {
			t.Errorf("%s: no CRD in %s serves %s/%s", d, crdDir, k.group, k.kind)
		}
	}
}

// TestHealthChecksSparseObjects: a script must never error, whatever is
// missing: Argo CD shows a failing script as an error on every sync.
func TestHealthChecksSparseObjects(t *testing.T) {
	cases := []struct {
		name string
		obj  string // YAML after apiVersion and kind
		want healthStatus
	}{
		{"no status", "metadata: {name: a, namespace: b, generation: 1}",
			healthStatus{"Progressing", "Waiting for the operator"}},
		{"no metadata, no status", "",
			healthStatus{"Progressing", "Waiting for the operator"}},
		{"null status", "metadata: {name: a, generation: 1}\nstatus: null",
			healthStatus{"Progressing", "Waiting for the operator"}},
		{"empty status", "metadata: {name: a, generation: 1}\nstatus: {}",
			healthStatus{"Progressing", "Waiting for the operator"}},
		{"empty conditions", "metadata: {name: a, generation: 1}\nstatus: {conditions: []}",
			healthStatus{"Progressing", "Waiting for the operator"}},
		{"observedGeneration only", "metadata: {name: a, generation: 2}\nstatus: {observedGeneration: 1}",
			healthStatus{"Progressing", "Waiting for the operator"}},
		{"conditions without Ready", "metadata: {name: a, generation: 1}\nstatus: {conditions: [{type: WebhookReady, status: 'False', reason: WaitingForWebhook, message: starting}]}",
			healthStatus{"Progressing", "Waiting for the operator"}},
		{"empty condition", "metadata: {name: a, generation: 1}\nstatus: {conditions: [{}]}",
			healthStatus{"Progressing", "Waiting for the operator"}},
		{"Ready with nothing but its type", "metadata: {name: a, generation: 1}\nstatus: {conditions: [{type: Ready}]}",
			healthStatus{"Progressing", "Ready is nil"}},
		{"Ready=True without generations", "metadata: {name: a}\nstatus: {conditions: [{type: Ready, status: 'True', reason: Succeeded}]}",
			healthStatus{"Healthy", "Succeeded"}},
		{"Ready=False without message or reason", "metadata: {name: a, generation: 1}\nstatus: {conditions: [{type: Ready, status: 'False', observedGeneration: 1}]}",
			healthStatus{"Degraded", "Ready is False"}},
		{"stale, no generation on Ready", "metadata: {name: a, generation: 5}\nstatus: {observedGeneration: 4, conditions: [{type: Ready, status: 'False', reason: Paused, message: paused}]}",
			healthStatus{"Progressing", "Waiting for the operator to reconcile generation 5"}},
		{"deleting, empty finalizers", "metadata: {name: a, deletionTimestamp: '2026-03-06T08:00:00Z', finalizers: []}",
			healthStatus{"Progressing", "Pending deletion"}},
	}
	for _, k := range served(t) {
		script := readScript(t, k)
		for _, tc := range cases {
			t.Run(k.kind+"/"+tc.name, func(t *testing.T) {
				obj, err := decodeObject([]byte(fmt.Sprintf("apiVersion: %s\nkind: %s\n%s", whatsappv1alpha1.GroupVersion, k.kind, tc.obj)))
				if err != nil {
					t.Fatal(err)
				}
				for _, mode := range libModes {
					got, err := runHealth(script, obj, mode)
					if err != nil {
						t.Fatalf("%s libraries: script failed: %v", mode.name, err)
					}
					if !slices.Contains(validStatuses, got.Status) || got.Message == "" {
						t.Fatalf("%s libraries: invalid health %+v", mode.name, got)
					}
					if got != tc.want {
						t.Errorf("%s libraries:\n got  %+v\n want %+v", mode.name, got, tc.want)
					}
				}
			})
		}
	}
}

// TestToLua pins the YAML → JSON → Lua conversion the other tests rely on.
func TestToLua(t *testing.T) {
	obj, err := decodeObject([]byte(`
apiVersion: v1
kind: Probe
metadata: {generation: 9007199254740993}
int: 3
negative: -7
float: 1.5
exp: 1.0e+3
truth: true
falsity: false
none: null
quoted: "True"
list: [a, {b: [1, 2, {c: d}]}, [p, q]]
empty: []
emptyMap: {}
`))
	if err != nil {
		t.Fatal(err)
	}
	script := `
local function check(cond, what) if not cond then error("failed: " .. what) end end
check(obj.int == 3 and obj.int < 4, "int")
check(obj.negative == -7, "negative")
check(obj.float == 1.5, "float")
check(obj.exp == 1000, "exponent")
check(obj.truth == true and obj.falsity == false, "booleans")
check(obj.none == nil, "null")
check(obj.quoted == "True", "quoted string stays a string")
check(#obj.list == 3, "list length")
check(obj.list[1] == "a", "list is 1-based")
check(#obj.list[2].b == 3 and obj.list[2].b[2] == 2 and obj.list[2].b[3].c == "d", "nested list and map")
check(obj.list[3][2] == "q", "list in list")
check(#obj.empty == 0 and next(obj.emptyMap) == nil, "empty list and map")
check(obj.metadata.generation > 9007199254740000, "large integer")
check(tostring(obj.int) == "3", "integer prints without a decimal point")
return {status = "Healthy", message = "ok"}
`
	for _, mode := range libModes {
		got, err := runHealth(script, obj, mode)
		if err != nil {
			t.Fatalf("%s libraries: %v", mode.name, err)
		}
		if want := (healthStatus{"Healthy", "ok"}); got != want {
			t.Fatalf("%s libraries: got %+v, want %+v", mode.name, got, want)
		}
	}
	if _, err := toLua(lua.NewState(), map[string]any{"c": complex(1, 1)}); err == nil {
		t.Fatal("toLua accepted a complex number")
	}
}

// renderPatch builds argocd-cm-patch.yaml from the scripts.
func renderPatch(t *testing.T, kinds []gvk) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString(`# Generated from resource_customizations/*/*/health.lua: do not edit by hand.
# Regenerate: go test ./config/argocd -run TestConfigMapPatch -update
# Apply: see config/argocd/README.md, for example
#   kubectl -n argocd patch configmap argocd-cm --type merge --patch-file config/argocd/argocd-cm-patch.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: argocd-cm
  namespace: argocd
data:
`)
	for _, k := range kinds {
		script := readScript(t, k)
		if !strings.HasSuffix(script, "\n") || strings.HasSuffix(script, "\n\n") {
			t.Fatalf("%s must end with exactly one newline (a YAML literal block keeps one)", filepath.Join(k.dir(), healthScript))
		}
		fmt.Fprintf(&b, "  %s: |\n", k.configMapKey())
		for _, line := range strings.SplitAfter(script, "\n") {
			switch {
			case line == "":
			case strings.TrimSpace(line) == "":
				b.WriteString("\n")
			default:
				b.WriteString("    " + line)
			}
		}
	}
	return b.Bytes()
}

// TestConfigMapPatch keeps argocd-cm-patch.yaml in sync with the scripts.
func TestConfigMapPatch(t *testing.T) {
	kinds := served(t)
	want := renderPatch(t, kinds)
	if *update {
		if err := os.WriteFile(patchFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(patchFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: run go test ./config/argocd -run TestConfigMapPatch -update", patchFile)
	}

	// What a YAML reader gets out of the file is the scripts, byte for byte.
	var cm struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
		Data map[string]string `json:"data"`
	}
	if err := yaml.UnmarshalStrict(got, &cm); err != nil {
		t.Fatalf("%s: %v", patchFile, err)
	}
	if cm.APIVersion != "v1" || cm.Kind != "ConfigMap" || cm.Metadata.Name != "argocd-cm" {
		t.Fatalf("%s does not patch ConfigMap argocd-cm", patchFile)
	}
	wantData := map[string]string{}
	for _, k := range kinds {
		wantData[k.configMapKey()] = readScript(t, k)
	}
	if !reflect.DeepEqual(cm.Data, wantData) {
		for key := range wantData {
			if cm.Data[key] != wantData[key] {
				t.Errorf("%s: data[%q] differs from the script", patchFile, key)
			}
		}
		t.Fatalf("%s: data has keys %v, want %v", patchFile, keys(cm.Data), keys(wantData))
	}
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestScriptsShareOneBody: the kinds share one condition model, so their
// scripts differ only in the first line, which names the kind. Drop this
// test when a kind needs logic of its own.
func TestScriptsShareOneBody(t *testing.T) {
	kinds := served(t)
	body := func(k gvk) string {
		script := readScript(t, k)
		first, rest, _ := strings.Cut(script, "\n")
		if !strings.Contains(first, k.group+"/"+k.kind) {
			t.Fatalf("%s: the first line does not name %s/%s", filepath.Join(k.dir(), healthScript), k.group, k.kind)
		}
		return rest
	}
	want := body(kinds[0])
	for _, k := range kinds[1:] {
		if body(k) != want {
			t.Errorf("%s differs from %s below its first line: edit the scripts together", filepath.Join(k.dir(), healthScript), filepath.Join(kinds[0].dir(), healthScript))
		}
	}
}
