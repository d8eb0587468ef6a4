package v1alpha1_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// The YAML examples of the docs are what a user copies: every one of them
// must be accepted by the API server as written.
func TestDocsExamplesAreAccepted(t *testing.T) {
	for _, doc := range []string{"number-journey.md", "templates.md", "forwarding.md"} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "docs", doc))
		if err != nil {
			t.Fatal(err)
		}
		blocks := strings.Split(string(raw), "```yaml\n")[1:]
		if len(blocks) == 0 {
			t.Errorf("docs/%s has no YAML example", doc)
		}
		for i, block := range blocks {
			block = block[:strings.Index(block, "```")]
			for j, part := range strings.Split(block, "\n---\n") {
				obj := &unstructured.Unstructured{}
				if err := yaml.Unmarshal([]byte(part), &obj.Object); err != nil {
					t.Fatalf("docs/%s example %d.%d is not YAML: %v", doc, i, j, err)
				}
				if err := dryRunCreate(obj); err != nil {
					t.Errorf("docs/%s example %d.%d (%s %s) is rejected: %v", doc, i, j, obj.GetKind(), obj.GetName(), err)
				}
			}
		}
	}
}
