package main

import (
	"context"
	"fmt"
	"net/url"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// tokenLifetime is what the demo asks for its workloads' tokens: longer
// than anyone keeps a demo running (the API server may grant less).
const tokenLifetime = 48 * 60 * 60

// writeAdminKubeconfig writes a kubeconfig for the envtest API server's
// admin user (client certificate) to path, for the user's own kubectl and
// the operator.
func writeAdminKubeconfig(cfg *rest.Config, path string) error {
	return writeKubeconfig(cfg, path, &clientcmdapi.AuthInfo{
		ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken})
}

// writeServiceAccountKubeconfig asks the API server for a token of the
// ServiceAccount namespace/name (what a pod's projected token is) and
// writes a kubeconfig holding only that token and the server's CA.
func writeServiceAccountKubeconfig(ctx context.Context, cfg *rest.Config, namespace, name, path string) error {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	lifetime := int64(tokenLifetime)
	tr, err := cs.CoreV1().ServiceAccounts(namespace).CreateToken(ctx, name, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &lifetime},
	}, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("request a token for ServiceAccount %s/%s: %w", namespace, name, err)
	}
	return writeKubeconfig(cfg, path, &clientcmdapi.AuthInfo{Token: tr.Status.Token})
}

// writeKubeconfig writes a kubeconfig for cfg's server with user as its
// credentials, the demo's namespace as the default.
func writeKubeconfig(cfg *rest.Config, path string, user *clientcmdapi.AuthInfo) error {
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
	kc.AuthInfos[name] = user
	kc.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name, Namespace: namespace}
	kc.CurrentContext = name
	return clientcmd.WriteToFile(*kc, path)
}
