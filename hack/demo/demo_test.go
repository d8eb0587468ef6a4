package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/hack/demo/simctl"
	"github.com/kubechat/whatsapp-operator/internal/testenv"
	"github.com/kubechat/whatsapp-operator/test/e2e"
)

// The demo as a user runs it, from a clean state: its own API server, the
// simulator, the operator, the webhook server and the relay as processes.
// One run serves every check (it is the expensive part): the scripted
// scenario's outcome, the chat page in a real browser, and Ctrl-C leaving
// nothing behind.
func TestDemo(t *testing.T) {
	chromium := chromiumPath(t)
	bin := t.TempDir()
	buildForTest(t, bin)

	d := startDemo(t, filepath.Join(bin, "demo"), "--page-address", "127.0.0.1:0",
		"--operator-binary", filepath.Join(bin, "whatsapp-operator"), "--graphsim-binary", filepath.Join(bin, "graphsim"))

	t.Run("the scenario ends with Ready objects and the bot's reply at Meta", func(t *testing.T) {
		d.checkScenario(t)
	})
	t.Run("the chat page in a browser", func(t *testing.T) {
		d.checkChatPage(t, chromium)
	})
	t.Run("Ctrl-C stops every process and removes the temporary directory", func(t *testing.T) {
		d.interrupt(t)
	})
}

// runningDemo is the demo process and what it printed.
type runningDemo struct {
	cmd      *exec.Cmd
	out      *lockedBuffer
	done     chan struct{}
	exitErr  error
	pageURL  string
	dir      string
	kubecfg  string
	simURL   string
	children []int
}

// startDemo runs the demo binary and waits until it prints the chat page's
// address (the scenario has then passed).
func startDemo(t *testing.T, bin string, args ...string) *runningDemo {
	t.Helper()
	d := &runningDemo{out: &lockedBuffer{}, done: make(chan struct{})}
	d.cmd = exec.Command(bin, args...)
	stdout, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	d.cmd.Stderr = d.out
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_, _ = io.Copy(d.out, stdout)
		d.exitErr = d.cmd.Wait()
		close(d.done)
	}()
	t.Cleanup(func() {
		select {
		case <-d.done:
		default: // a failed test: stop it as Ctrl-C would
			_ = d.cmd.Process.Signal(os.Interrupt)
			select {
			case <-d.done:
			case <-time.After(time.Minute):
				_ = d.cmd.Process.Kill()
			}
		}
		if t.Failed() {
			t.Logf("the demo printed:\n%s", d.out)
		}
	})
	pageLine := regexp.MustCompile(`chat page: (http://\S+)`)
	err = e2e.Eventually(t.Context(), 5*time.Minute, "the demo prints the chat page's address", func(context.Context) (bool, error) {
		select {
		case <-d.done:
			return false, e2e.Final(errors.New("the demo exited"))
		default:
		}
		m := pageLine.FindStringSubmatch(d.out.String())
		if m == nil {
			return false, nil
		}
		d.pageURL = m[1]
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out := d.out.String()
	d.kubecfg = submatch(t, out, `export KUBECONFIG=(\S+)`)
	d.dir = filepath.Dir(d.kubecfg)
	d.simURL = "http://" + submatch(t, out, `graphsim --addr (\S+)`)
	for _, m := range regexp.MustCompile(`pid (\d+) `).FindAllStringSubmatch(out, -1) {
		pid, _ := strconv.Atoi(m[1])
		d.children = append(d.children, pid)
	}
	if len(d.children) != 4 {
		t.Fatalf("the demo lists %d processes, want the simulator, the operator, the webhook server and the relay", len(d.children))
	}
	return d
}

// checkScenario checks, through the demo's own kubeconfig and simulator,
// what the scenario claims.
func (d *runningDemo) checkScenario(t *testing.T) {
	out := d.out.String()
	for _, want := range []string{"[10/10] A WhatsApp user writes", "Demo complete in", "the chatbot is not called again"} {
		if !strings.Contains(out, want) {
			t.Errorf("the demo did not print %q", want)
		}
	}
	logf.SetLogger(logr.Discard()) // the client's own logs are not what this checks
	cfg, err := clientcmd.BuildConfigFromFlags("", d.kubecfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(cfg, client.Options{Scheme: testenv.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	objs := []e2e.Conditioned{
		&whatsappv1alpha1.MetaProvider{}, &whatsappv1alpha1.WhatsAppChannel{}, &whatsappv1alpha1.WhatsAppChannel{},
		&whatsappv1alpha1.MessageTemplate{}, &whatsappv1alpha1.MessageTemplate{},
	}
	names := []string{providerName, "support-us", "sales-us", "order-update", "new-bot-message"}
	for i, obj := range objs {
		if err := c.Get(t.Context(), client.ObjectKey{Namespace: namespace, Name: names[i]}, obj); err != nil {
			t.Fatal(err)
		}
		if !e2e.HasCondition(obj, whatsappv1alpha1.ConditionReady, metav1.ConditionTrue, "") {
			t.Errorf("%T %s is not Ready: %s", obj, names[i], e2e.DescribeConditions(obj.GetConditions()))
		}
	}
	st, err := simctl.New(d.simURL).State(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var replies []string
	for _, m := range st.SentMessages {
		replies = append(replies, string(m.Body))
	}
	if len(replies) < 1 || !strings.Contains(replies[0], `"Echo: Hi! Where is my order #4521?"`) || !strings.Contains(replies[0], `"to":"`+userWaID+`"`) {
		t.Errorf("Meta holds %q, want first the bot's echo to %s", replies, userWaID)
	}
}

// interrupt sends SIGINT as Ctrl-C does and checks that the demo exits 0
// having stopped every child and removed its directory.
func (d *runningDemo) interrupt(t *testing.T) {
	// Everything it runs: the four it lists, and the API server and etcd.
	all := descendants(d.cmd.Process.Pid)
	for _, pid := range d.children {
		if !slices.Contains(all, pid) {
			t.Errorf("process %d the demo lists is not its child", pid)
		}
	}
	if len(all) < len(d.children)+2 {
		t.Errorf("the demo runs %d processes, want at least its four, kube-apiserver and etcd", len(all))
	}
	if err := d.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-d.done:
	case <-time.After(time.Minute):
		t.Fatal("the demo did not stop within a minute of Ctrl-C")
	}
	if d.exitErr != nil {
		t.Errorf("the demo exited with %v after Ctrl-C, want 0", d.exitErr)
	}
	for _, pid := range all {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("process %d is still there after the demo stopped (kill -0: %v)", pid, err)
		}
	}
	if _, err := os.Stat(d.dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the demo left %s behind (%v)", d.dir, err)
	}
}

// descendants lists the processes below pid (Linux: /proc/PID/task/TID/children).
func descendants(pid int) []int {
	var out []int
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, f := range tasks {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, field := range strings.Fields(string(raw)) {
			child, err := strconv.Atoi(field)
			if err != nil || slices.Contains(out, child) {
				continue
			}
			out = append(out, child)
			out = append(out, descendants(child)...)
		}
	}
	return out
}

// buildForTest builds the demo, the operator and the simulator into dir,
// with -race when this test runs with it (sharing the build cache).
func buildForTest(t *testing.T, dir string) {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"build", "-o", dir + string(os.PathSeparator)}
	if raceEnabled {
		args = append(args, "-race")
	}
	args = append(args, "./hack/demo", ".", "./internal/graph/graphsim/cmd/graphsim")
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %v: %v\n%s", args, err, out)
	}
}

// chromiumPath is Debian's Chromium, or $CHROMIUM. Without it the test
// fails (never skips), saying how to install it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatal("Chromium is needed for the chat page's browser test: `sudo apt-get install -y chromium` (make test installs it when run as root), or set CHROMIUM to its path")
	return ""
}

func submatch(t *testing.T, s, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("the demo's output has no %s", pattern)
	}
	return m[1]
}

// lockedBuffer collects output written from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
