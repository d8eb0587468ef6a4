package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fuzzFunc finds fuzz targets in a test file.
var fuzzFunc = regexp.MustCompile(`(?m)^func (Fuzz\w+)\(`)

// TestEveryFuzzTargetRunsInMakeFuzz: a fuzz target nobody fuzzes only
// replays its seeds. make test runs hack/fuzz.sh, which must name each.
func TestEveryFuzzTargetRunsInMakeFuzz(t *testing.T) {
	t.Parallel()
	script, err := os.ReadFile("hack/fuzz.sh")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "bin" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range fuzzFunc.FindAllStringSubmatch(string(src), -1) {
			found++
			want := "./" + filepath.ToSlash(filepath.Dir(path)) + " " + m[1] + `"`
			if !strings.Contains(string(script), want) {
				t.Errorf("%s (%s) is not in hack/fuzz.sh: add the line %q", m[1], path, strings.TrimSuffix(want, `"`))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found == 0 {
		t.Fatal("found no fuzz target: the walk no longer reads the test files")
	}
}
