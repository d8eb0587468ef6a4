package v1alpha1_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// TestDocsExamplesAreAccepted keeps the guides under docs/ true: every
// YAML example in them is accepted by the API server as written.
func TestDocsExamplesAreAccepted(t *testing.T) {
	for _, doc := range []string{"forwarding.md"} {
		t.Run(doc, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("..", "..", "docs", doc))
			if err != nil {
				t.Fatal(err)
			}
			blocks := strings.Split(string(raw), "```yaml\n")[1:]
			if len(blocks) == 0 {
				t.Fatalf("no YAML example in docs/%s", doc)
			}
			for i, block := range blocks {
				block = block[:strings.Index(block, "```")]
				for j, part := range strings.Split(block, "\n---\n") {
					obj := &unstructured.Unstructured{}
					if err := yaml.Unmarshal([]byte(part), &obj.Object); err != nil {
						t.Fatalf("example %d.%d is not YAML: %v", i, j, err)
					}
					if err := dryRunCreate(obj); err != nil {
						t.Errorf("example %d.%d (%s %s) is rejected: %v", i, j, obj.GetKind(), obj.GetName(), err)
					}
				}
			}
		})
	}
}
