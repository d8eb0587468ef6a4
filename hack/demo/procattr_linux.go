package main

import "syscall"

// childAttributes puts a child in its own process group and has the kernel
// kill it if the demo dies without stopping it (SIGKILL, a crash).
func childAttributes() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
