package main

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"text/tabwriter"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/testenv"
	"github.com/kubechat/whatsapp-operator/test/e2e"
)

// writeKubeconfig writes a kubeconfig for the envtest API server's admin
// user (client certificate) to path, for the user's own kubectl.
func writeKubeconfig(cfg *rest.Config, path string) error {
	const name = "whatsapp-demo"
	host, err := url.Parse(cfg.Host)
	if err != nil {
		return err
	}
	scheme := "https"
	if !rest.IsConfigTransportTLS(*cfg) {
		scheme = "http"
	}
	kc := clientcmdapi.NewConfig()
	kc.Clusters[name] = &clientcmdapi.Cluster{
		Server:                   (&url.URL{Scheme: scheme, Host: host.Host, Path: cfg.APIPath}).String(),
		CertificateAuthorityData: cfg.CAData,
	}
	kc.AuthInfos[name] = &clientcmdapi.AuthInfo{ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken}
	kc.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name, Namespace: namespace}
	kc.CurrentContext = name
	return clientcmd.WriteToFile(*kc, path)
}

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
	for _, obj := range []e2e.Conditioned{d.provider, d.channel, d.template} {
		if err := d.stack.Client.Get(d.ctx, keyOf(obj), obj); err != nil {
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
