package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"text/tabwriter"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/testenv"
	"github.com/kubechat/whatsapp-operator/test/e2e"
)

// kubectlCommand is how the user can run a kubectl: the one on PATH, else
// the one beside the envtest binaries.
func kubectlCommand() string {
	if _, err := exec.LookPath("kubectl"); err == nil {
		return "kubectl"
	}
	dir := os.Getenv("KUBEBUILDER_ASSETS")
	if dir == "" {
		base := os.Getenv("XDG_DATA_HOME")
		if base == "" {
			home, _ := os.UserHomeDir()
			base = filepath.Join(home, ".local", "share")
		}
		dir = filepath.Join(base, "kubebuilder-envtest", "k8s", testenv.K8sVersion+"-"+runtime.GOOS+"-"+runtime.GOARCH)
	}
	return filepath.Join(dir, "kubectl")
}

// printTable prints `kubectl get whatsapp -n NS`, run with the kubectl of
// the envtest binaries; if that fails, the same columns from the API.
func (d *demo) printTable(w io.Writer) {
	out, err := d.env.Kubectl("get", "whatsapp", "-n", namespace)
	if err == nil {
		fmt.Fprintf(w, "\n    $ kubectl get whatsapp -n %s\n%s\n", namespace, indent(out, "    "))
		return
	}
	fmt.Fprintf(w, "\n    (kubectl failed: %v; the same from the API:)\n", err)
	d.printOwnTable(w)
}

// printOwnTable prints each object's kind, name, Ready and reason.
func (d *demo) printOwnTable(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "    NAME\tREADY\tREASON\tMETA STATUS")
	objs := []e2e.Conditioned{d.provider}
	for _, ch := range d.channels {
		objs = append(objs, ch)
	}
	for _, t := range d.templates {
		objs = append(objs, t)
	}
	for _, obj := range objs {
		if err := d.client.Get(d.ctx, keyOf(obj), obj); err != nil {
			fmt.Fprintf(tw, "    %s\t?\t%v\t\n", obj.GetName(), err)
			continue
		}
		ready, reason := "", ""
		for _, c := range obj.GetConditions() {
			if c.Type == whatsappv1alpha1.ConditionReady {
				ready, reason = string(c.Status), c.Reason
			}
		}
		meta := ""
		if t, ok := obj.(*whatsappv1alpha1.MessageTemplate); ok {
			meta = t.Status.ApprovalStatus
		}
		fmt.Fprintf(tw, "    %s/%s\t%s\t%s\t%s\n", reflect.TypeOf(obj).Elem().Name(), obj.GetName(), ready, reason, meta)
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
}

// indent prefixes every non-empty line of s.
func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}
