package testproc

import (
	"context"
	"fmt"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// tokenSeconds is the lifetime asked for a ServiceAccount's token: longer
// than any test runs.
const tokenSeconds = 2 * 60 * 60

// WriteKubeconfig writes cfg as a kubeconfig file at path, with cfg's own
// (the admin's) credentials, as a user outside the cluster passes it with
// --kubeconfig.
func WriteKubeconfig(cfg *rest.Config, path string) error {
	return write(cfg, path, &clientcmdapi.AuthInfo{ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken})
}

// WriteServiceAccountKubeconfig asks the API server for a token of the
// ServiceAccount namespace/name (what a pod's projected token is) and
// writes a kubeconfig at path holding only that token and the server's
// CA: the process can do what the account's Role allows and nothing more.
func WriteServiceAccountKubeconfig(ctx context.Context, cfg *rest.Config, namespace, name, path string) error {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	lifetime := int64(tokenSeconds)
	tr, err := cs.CoreV1().ServiceAccounts(namespace).CreateToken(ctx, name, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &lifetime},
	}, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("request a token for ServiceAccount %s/%s: %w", namespace, name, err)
	}
	return write(cfg, path, &clientcmdapi.AuthInfo{Token: tr.Status.Token})
}

func write(cfg *rest.Config, path string, user *clientcmdapi.AuthInfo) error {
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["user"] = user
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "user"}
	kc.CurrentContext = "envtest"
	return clientcmd.WriteToFile(*kc, path)
}
