package charts

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/strvals"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"sigs.k8s.io/yaml"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// The pages whose every fenced block this test runs.
var testedDocs = []string{"README.md", "docs/install.md", "docs/upgrade-and-uninstall.md", "docs/guide.md", "docs/troubleshooting.md"}

// TestDocsBlocksWork runs every sh and yaml block of the install, upgrade
// and uninstall pages, so what a platform team copies from them works:
//
//   - helm install/upgrade/template: the chart rendered with the command's
//     release, namespace and --set values, linted, and applied to envtest
//     with server-side dry-run; helm uninstall must name a release the page
//     installed;
//   - kubectl: run against envtest, changing verbs with --dry-run=server (the
//     API server checks resources, flags and patch bodies; what the operator
//     does on deletion is tested in controllers/);
//   - make: run with make -n;
//   - curl to graph.facebook.com: run against the Graph API simulator
//     seeded with the pages' WABA, app and number (docs_curl_test.go);
//   - YAML with apiVersion and kind: applied with server-side dry-run; other
//     YAML: chart values, rendered and applied as helm install -f would.
//
// Anything else fails the test: teach it here before documenting it.
func TestDocsBlocksWork(t *testing.T) {
	ensureDocObjects(t)
	installed := map[string]string{} // release -> namespace, across the pages in order
	for _, page := range testedDocs {
		raw, err := os.ReadFile("../" + page)
		if err != nil {
			t.Fatal(err)
		}
		blocks := fencedBlock.FindAllStringSubmatch(string(raw), -1)
		if len(blocks) == 0 {
			t.Fatalf("%s has no fenced blocks", page)
		}
		for i, b := range blocks {
			lang, body := b[1], dedent(b[2])
			where := fmt.Sprintf("%s block %d", page, i+1)
			switch lang {
			case "sh":
				for _, cmd := range commands(body) {
					runDocCommand(t, where, cmd, installed)
				}
			case "yaml":
				runDocYAML(t, where, body)
			case "":
				// A transcript of what a command prints, not something to run.
			default:
				t.Errorf("%s: a %q block; only sh and yaml blocks can be tested", where, lang)
			}
		}
	}
}

var fencedBlock = regexp.MustCompile("(?ms)^[ \t]*```(\\w*)\n(.*?)^[ \t]*```")

// dedent removes the indentation of a block nested in a list item.
func dedent(body string) string {
	lines := strings.Split(body, "\n")
	indent := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if n := len(l) - len(strings.TrimLeft(l, " ")); indent < 0 || n < indent {
			indent = n
		}
	}
	for i, l := range lines {
		if len(l) >= indent && indent > 0 {
			lines[i] = l[indent:]
		}
	}
	return strings.Join(lines, "\n")
}

// commands joins continued lines and splits each command into words as a
// shell would (quotes, comments).
func commands(body string) [][]string {
	var out [][]string
	joined := strings.ReplaceAll(body, "\\\n", " ")
	for _, line := range strings.Split(joined, "\n") {
		if words := shellWords(line); len(words) > 0 {
			out = append(out, words)
		}
	}
	return out
}

func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == '#' && !inWord:
			return words
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

func runDocCommand(t *testing.T, where string, cmd []string, installed map[string]string) {
	t.Helper()
	line := strings.Join(cmd, " ")
	switch cmd[0] {
	case "helm":
		runDocHelm(t, where, cmd[1:], installed)
	case "kubectl":
		args := slices.Clone(cmd[1:])
		for i := range args {
			if i > 0 && (args[i-1] == "-k" || args[i-1] == "-f") {
				args[i] = "../" + args[i] // the test runs in charts/
			}
		}
		if slices.Contains([]string{"apply", "patch", "delete", "create", "label", "annotate"}, args[0]) {
			args = append(args, "--dry-run=server")
		}
		if out, err := env.Kubectl(args...); err != nil {
			t.Errorf("%s: %s: %v\n%s", where, line, err, out)
		}
	case "curl":
		runDocCurl(t, where, cmd[1:])
	case "make":
		out, err := exec.Command("make", append([]string{"-n", "-C", ".."}, cmd[1:]...)...).CombinedOutput()
		if err != nil {
			t.Errorf("%s: %s: %v\n%s", where, line, err, out)
		}
		if slices.Contains(cmd, "docker-buildx") && !strings.Contains(string(out), "docker buildx build --push --platform=") {
			t.Errorf("%s: %s does not build with buildx for the platforms:\n%s", where, line, out)
		}
	default:
		t.Errorf("%s: the test cannot run %q; teach TestDocsBlocksWork first", where, line)
	}
}

func runDocHelm(t *testing.T, where string, args []string, installed map[string]string) {
	t.Helper()
	var positional []string
	ns := "default"
	vals := map[string]any{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() string {
			i++
			if i >= len(args) {
				t.Fatalf("%s: helm %s: %s without a value", where, strings.Join(args, " "), a)
			}
			return args[i]
		}
		switch a {
		case "-n", "--namespace":
			ns = next()
		case "--set":
			if err := strvals.ParseInto(next(), vals); err != nil {
				t.Errorf("%s: --set: %v", where, err)
			}
		case "--create-namespace", "--reuse-values", "--install", "--wait", "--atomic":
		default:
			if strings.HasPrefix(a, "-") {
				t.Fatalf("%s: helm flag %s is unknown to the test; teach runDocHelm", where, a)
			}
			positional = append(positional, a)
		}
	}
	switch positional[0] {
	case "install", "upgrade", "template":
		if len(positional) != 3 || positional[2] != "charts/whatsapp-operator" {
			t.Fatalf("%s: helm %v: want RELEASE charts/whatsapp-operator", where, positional)
		}
		release := positional[1]
		if positional[0] == "upgrade" && installed[release] != ns {
			t.Errorf("%s: upgrades release %s in %s, which no block installed", where, release, ns)
		}
		installed[release] = ns
		if release != releaseName || ns != releaseNS {
			t.Fatalf("%s: release %s in %s; the test renders %s in %s", where, release, ns, releaseName, releaseNS)
		}
		checkValues(t, where, vals)
	case "uninstall":
		if len(positional) != 2 || installed[positional[1]] != ns {
			t.Errorf("%s: helm uninstall %v -n %s names no release the page installed (%v)", where, positional[1:], ns, installed)
		}
	default:
		t.Errorf("%s: helm %s is unknown to the test", where, positional[0])
	}
}

func runDocYAML(t *testing.T, where, body string) {
	t.Helper()
	for _, doc := range docSeparator.Split(body, -1) {
		m := map[string]any{}
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Errorf("%s: %v", where, err)
			continue
		}
		if len(m) == 0 {
			continue
		}
		if m["apiVersion"] == nil || m["kind"] == nil {
			checkValues(t, where, m)
			continue
		}
		obj, err := decode([]byte(doc))
		if err != nil {
			t.Errorf("%s: %v", where, err)
			continue
		}
		applyDryRun(t, obj)
	}
}

// checkValues renders the chart with vals as helm install -f would, lints
// it and applies the result with server-side dry-run.
func checkValues(t *testing.T, where string, vals map[string]any) {
	t.Helper()
	if problems := lintChart(t, vals); len(problems) > 0 {
		t.Errorf("%s: helm lint: %s", where, strings.Join(problems, "\n"))
	}
	objs, err := render(t, vals)
	if err != nil {
		t.Errorf("%s: helm refuses the values: %v", where, err)
		return
	}
	for _, o := range objs {
		if o.GetNamespace() != "" {
			ensureNamespace(t, o.GetNamespace())
		}
		applyDryRun(t, o)
	}
}

func ensureNamespace(t *testing.T, ns string) {
	t.Helper()
	err := env.Client.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// ensureDocObjects creates what the pages' kubectl commands name: the
// README's provider and template in namespace support.
func ensureDocObjects(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	ensureNamespace(t, "support")
	p := &whatsappv1alpha1.MetaProvider{
		ObjectMeta: metav1.ObjectMeta{Name: "acme", Namespace: "support"},
		Spec: whatsappv1alpha1.MetaProviderSpec{
			BusinessAccountID: "102290129340398", CredentialsSecretRef: whatsappv1alpha1.SecretReference{Name: "acme-meta"},
		},
	}
	mt := &whatsappv1alpha1.MessageTemplate{
		ObjectMeta: metav1.ObjectMeta{Name: "order-update", Namespace: "support", Finalizers: []string{whatsappv1alpha1.Finalizer}},
		Spec: whatsappv1alpha1.MessageTemplateSpec{
			ProviderRef: whatsappv1alpha1.ProviderReference{Name: "acme"},
			Language:    "en_US", Category: whatsappv1alpha1.CategoryUtility,
			Body: whatsappv1alpha1.TemplateBody{Text: "Hi {{1}}, your order {{2}} has shipped.", Examples: []string{"John", "#4521"}},
		},
	}
	if err := env.Client.Create(ctx, p); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	if err := env.Client.Create(ctx, mt); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}
