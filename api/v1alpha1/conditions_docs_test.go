package v1alpha1

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestEveryConditionAndReasonIsDocumented keeps docs/conditions.md in step
// with the API: alerts and scripts match on these strings, and a user who
// meets one in `kubectl describe` looks it up there.
func TestEveryConditionAndReasonIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/conditions.md")
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), "conditions.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			for i, name := range v.Names {
				if !strings.HasPrefix(name.Name, "Condition") && !strings.HasPrefix(name.Name, "Reason") {
					continue
				}
				lit, ok := v.Values[i].(*ast.BasicLit)
				if !ok {
					continue
				}
				value, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				seen++
				if !strings.Contains(string(doc), "`"+value+"`") {
					t.Errorf("%s (%q) is not in docs/conditions.md: add it with what it means and what to do", name.Name, value)
				}
			}
		}
	}
	if seen < 20 {
		t.Fatalf("found only %d condition types and reasons in conditions.go: the test no longer reads them", seen)
	}
}
