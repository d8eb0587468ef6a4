package testproc

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// BuildOperator builds the whatsapp-operator binary into dir and returns
// its path. It runs go build in the module's root, wherever the calling
// test's package is.
func BuildOperator(dir string) (string, error) {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find the module: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	bin := filepath.Join(dir, "whatsapp-operator")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the operator: %w\n%s", err, out)
	}
	return bin, nil
}
