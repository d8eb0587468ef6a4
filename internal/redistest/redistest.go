// Package redistest runs a real redis-server (Debian's package) for tests:
// on a random loopback port, persistence off, killed with the test
// process. One server per test package (Shared), one key prefix per test
// (Prefix). There is no fake: a test that makes a claim about Redis runs
// against Redis. Without redis-server on PATH the tests fail and say how
// to install it; they are never skipped.
package redistest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Loopback re-opens the loopback range to a store's dialer, which refuses
// it by default (sharedstore.Config.AllowAddresses): the test server
// listens there.
var Loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// InstallHint is the one command that installs the server.
const InstallHint = "redis-server is not installed: run `sudo apt-get install -y redis-server` (Debian/Ubuntu; `make test` does it when run as root)"

// Server is one redis-server process.
type Server struct {
	port    int
	dir     string
	args    []string
	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{}
	stopped bool
}

// Start runs a redis-server on a free loopback port. extra are more
// configuration arguments (for example "--requirepass", "secret").
func Start(extra ...string) (*Server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, errors.New(InstallHint)
	}
	dir, err := os.MkdirTemp("", "redistest-")
	if err != nil {
		return nil, err
	}
	var lastErr error
	for range 5 { // a port found free may be taken before the server binds it
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s := &Server{port: port, dir: dir}
		s.args = append([]string{
			"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", dir,
			"--daemonize", "no", "--loglevel", "warning",
		}, extra...)
		if lastErr = s.start(bin); lastErr == nil {
			return s, nil
		}
	}
	_ = os.RemoveAll(dir)
	return nil, lastErr
}

// start launches the process and waits until it answers.
func (s *Server) start(bin string) error {
	cmd := exec.Command(bin, s.args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	logFile, err := os.OpenFile(filepath.Join(s.dir, "redis.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	s.mu.Lock()
	s.cmd, s.exited, s.stopped = cmd, exited, false
	s.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			return fmt.Errorf("redis-server exited at start (port %d taken?): %s", s.port, log)
		default:
		}
		if ping(s.Addr()) == nil {
			return nil
		}
		time.Sleep(10 * time.Millisecond) // polling for readiness, with a deadline
	}
	s.Kill()
	return errors.New("redis-server did not answer PING within 10s")
}

// StartTLS runs a server that also serves TLS with the PEM certificate and
// key in certFile and keyFile (clients show no certificate), and returns it
// with the TLS address. Its plain port (Addr) stays open: Start waits on it.
func StartTLS(certFile, keyFile string) (*Server, string, error) {
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	s, err := Start("--tls-port", strconv.Itoa(port), "--tls-cert-file", certFile, "--tls-key-file", keyFile, "--tls-auth-clients", "no")
	if err != nil {
		return nil, "", err
	}
	return s, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), nil
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Kill ends the server at once (SIGKILL), as a crash or a lost node
// would, and waits until it is gone.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.stopped = true
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-exited
}

// Restart starts the server again on the same port, empty (persistence
// is off), after Kill.
func (s *Server) Restart() error {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return errors.New(InstallHint)
	}
	return s.start(bin)
}

// Stop kills the server and removes its directory.
func (s *Server) Stop() {
	s.Kill()
	_ = os.RemoveAll(s.dir)
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ping sends a PING in RESP and waits for +PONG (no client library: this
// only waits for the port to answer).
func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(500 * time.Millisecond))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" && !strings.HasPrefix(line, "-NOAUTH") { // a password-protected server answers too
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

var (
	sharedOnce sync.Once
	shared     *Server
	sharedErr  error
)

// Shared is the package's server, started on first use; stop it with
// StopShared from TestMain. It fails t when redis-server cannot run.
func Shared(t testing.TB) *Server {
	t.Helper()
	sharedOnce.Do(func() { shared, sharedErr = Start() })
	if sharedErr != nil {
		t.Fatalf("redis: %v", sharedErr)
	}
	return shared
}

// StopShared stops the package's server if one was started.
func StopShared() {
	if shared != nil {
		shared.Stop()
	}
}

var (
	prefixSeq  atomic.Int64
	unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)
)

// Prefix is a key prefix of its own for t (ending in ':'), so that tests
// sharing a server never see each other's keys.
func Prefix(t testing.TB) string {
	name := unsafeName.ReplaceAllString(t.Name(), "_")
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	return fmt.Sprintf("t%d-%s:", prefixSeq.Add(1), name)
}

// WithContext is a context bounded for a test's store calls.
func WithContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
