package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVersionIsStampedByTheMakefile builds the binary with the exact
// command `make build` runs (read from `make -n`) and checks that
// --version prints the VERSION make was given: the -X symbol and the
// Makefile's LDFLAGS cannot drift apart unnoticed.
func TestVersionIsStampedByTheMakefile(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatal("make is needed to read the build command from the Makefile")
	}
	const want = "v9.8.7-stamp-test"
	out, err := exec.Command("make", "-s", "-n", "build", "VERSION="+want).CombinedOutput()
	if err != nil {
		t.Fatalf("make -n build: %v\n%s", err, out)
	}
	var build string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "go build ") {
			build = strings.TrimSpace(line)
		}
	}
	if build == "" {
		t.Fatalf("make -n build prints no `go build` command:\n%s", out)
	}
	bin := filepath.Join(t.TempDir(), "whatsapp-operator")
	if !strings.Contains(build, "-o bin/whatsapp-operator") {
		t.Fatalf("the build command no longer writes bin/whatsapp-operator: %s", build)
	}
	build = strings.Replace(build, "-o bin/whatsapp-operator", "-o "+bin, 1)
	if out, err := exec.Command("bash", "-c", build).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", build, err, out)
	}
	got, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("--version: %v\n%s", err, got)
	}
	if !strings.HasPrefix(string(got), "whatsapp-operator "+want) {
		t.Errorf("--version printed %q, want it to start with %q", got, "whatsapp-operator "+want)
	}
}

// TestDockerfileStampsTheVersion: the image is built by the Dockerfile,
// not by make, so it must pass the same -X flag (no container engine runs
// here to build the image itself).
func TestDockerfileStampsTheVersion(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"-X main.version=${VERSION}", "GOARCH=${TARGETARCH}", "--platform=$BUILDPLATFORM"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}
