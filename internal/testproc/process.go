package testproc

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/testlog"
	"github.com/kubechat/whatsapp-operator/internal/testwait"
)

// maxLogTail is how much of a process's log a failed test prints.
const maxLogTail = 20000

// Process is one child process of the test.
type Process struct {
	Name   string
	Cmd    *exec.Cmd
	logs   *testlog.Buffer
	exited chan struct{}
}

// Start runs bin with args as process name, in its own process group
// (killed with the test process, too: Pdeathsig). When the test ends the
// whole group is killed and waited for, and, if the test failed, the
// tail of its output is printed.
func Start(tb testing.TB, name, bin string, args ...string) *Process {
	tb.Helper()
	p := &Process{Name: name, logs: &testlog.Buffer{}, exited: make(chan struct{})}
	p.Cmd = exec.Command(bin, args...)
	p.Cmd.Stdout, p.Cmd.Stderr = p.logs, p.logs
	p.Cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := p.Cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", name, err)
	}
	go func() { _ = p.Cmd.Wait(); close(p.exited) }()
	tb.Cleanup(func() {
		p.Kill()
		if tb.Failed() {
			logs := p.Logs()
			if len(logs) > maxLogTail {
				logs = logs[len(logs)-maxLogTail:]
			}
			fmt.Fprintf(os.Stderr, "---- %s ----\n%s\n", p.Name, logs)
		}
	})
	return p
}

// Logs is what the process wrote so far (stdout and stderr).
func (p *Process) Logs() string { return p.logs.String() }

// Alive reports whether the process still runs.
func (p *Process) Alive() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// Kill ends the process and whatever it started with SIGKILL, as a node
// loss or an OOM kill would, and waits for it.
func (p *Process) Kill() {
	if p.Alive() {
		_ = syscall.Kill(-p.Cmd.Process.Pid, syscall.SIGKILL)
	}
	<-p.exited
}

// FreeLoopbackAddress returns 127.0.0.1:port for a port free right now,
// for a child to bind (envtest picks the API server's port the same way;
// a child that loses the race exits, and WaitHTTP says so).
func FreeLoopbackAddress(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("find a free port: %v", err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// WaitHTTP waits until url answers 200 (a readiness probe), failing the
// test at once when p exits first.
func WaitHTTP(tb testing.TB, p *Process, url string, within time.Duration) {
	tb.Helper()
	probe := &http.Client{Timeout: time.Second}
	last := "no answer yet"
	testwait.Until(tb, within, p.Name+" answers 200 at "+url, func() bool {
		if !p.Alive() {
			tb.Fatalf("%s exited before %s answered (last: %s):\n%s", p.Name, url, last, tail(p.Logs()))
		}
		resp, err := probe.Get(url)
		if err != nil {
			last = err.Error()
			return false
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		_ = resp.Body.Close()
		last = fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(body)))
		return resp.StatusCode == http.StatusOK
	})
}

func tail(s string) string {
	if len(s) > maxLogTail {
		return s[len(s)-maxLogTail:]
	}
	return s
}
