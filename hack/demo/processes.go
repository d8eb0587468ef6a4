package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// stopGrace is how long a child has to exit after SIGTERM before it is
// killed.
const stopGrace = 10 * time.Second

// process is a child the demo started: in its own process group (so that
// Ctrl-C reaches the demo, which stops it, and a stop reaches whatever it
// started), its output in a log file.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error // set before done is closed
}

// startProcess starts bin with args, logging to logPath.
func startProcess(name, logPath, bin string, args ...string) (*process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = childAttributes()
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		_ = logFile.Close()
		close(p.done)
	}()
	return p, nil
}

// exited returns the child's exit error when it has exited.
func (p *process) exited() (bool, error) {
	select {
	case <-p.done:
		if p.err == nil {
			return true, fmt.Errorf("%s exited (log: %s)", p.name, p.log)
		}
		return true, fmt.Errorf("%s exited: %v (log: %s)", p.name, p.err, p.log)
	default:
		return false, nil
	}
}

// stop sends SIGTERM to the child's process group, waits stopGrace, then
// kills the group, and waits for the child. An exit caused by the signal
// is not an error.
func (p *process) stop() error {
	if exited, _ := p.exited(); exited {
		return p.unexpected()
	}
	pgid := -p.cmd.Process.Pid
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopGrace):
		_ = syscall.Kill(pgid, syscall.SIGKILL)
		<-p.done
		return fmt.Errorf("%s did not stop within %s of SIGTERM and was killed (log: %s)", p.name, stopGrace, p.log)
	}
	// Whatever the child left in its group goes with it.
	_ = syscall.Kill(pgid, syscall.SIGKILL)
	var exit *exec.ExitError
	if p.err != nil && !(errors.As(p.err, &exit) && (exit.ExitCode() == 0 || signalled(exit))) {
		return fmt.Errorf("%s stopped with %v (log: %s)", p.name, p.err, p.log)
	}
	return nil
}

// unexpected is the error of a child that exited before it was stopped.
func (p *process) unexpected() error {
	_, err := p.exited()
	return err
}

// signalled reports whether the child ended by a signal (SIGTERM).
func signalled(e *exec.ExitError) bool {
	ws, ok := e.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled()
}
