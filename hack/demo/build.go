package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// binaries are the programs the demo runs as processes.
type binaries struct {
	operator string // whatsapp-operator: the operator, webhook-server, relay
	graphsim string // the Graph API simulator
}

// buildBinaries builds whatsapp-operator and graphsim into dir with the
// go command (its cache makes later runs quick), with -race when the demo
// itself was built with it.
func buildBinaries(dir string) (binaries, error) {
	root, err := repoRoot()
	if err != nil {
		return binaries{}, err
	}
	args := []string{"build", "-o", dir + string(os.PathSeparator)}
	if raceEnabled {
		args = append(args, "-race")
	}
	args = append(args, ".", "./internal/graph/graphsim/cmd/graphsim")
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return binaries{}, fmt.Errorf("go %v: %w\n%s", args, err, out)
	}
	return binaries{operator: filepath.Join(dir, "whatsapp-operator"), graphsim: filepath.Join(dir, "graphsim")}, nil
}

// repoRoot walks up from this source file to the directory holding go.mod.
func repoRoot() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("cannot locate the repository")
	}
	for dir := filepath.Dir(file); ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above " + file)
		}
		dir = parent
	}
}
