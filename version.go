package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is the release this binary was built from, stamped at build time
// by the Makefile and the Dockerfile:
//
//	go build -ldflags "-X main.version=v0.1.0"
//
// An unstamped build (go run, go install) says "dev".
var version = "dev"

// versionLine is what --version prints: the stamped version, the VCS
// revision the Go toolchain recorded (when built from a checkout), the Go
// version and the platform.
func versionLine() string {
	rev := ""
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = " (" + s.Value[:12] + ")"
			}
		}
	}
	return fmt.Sprintf("whatsapp-operator %s%s %s %s/%s", version, rev, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
