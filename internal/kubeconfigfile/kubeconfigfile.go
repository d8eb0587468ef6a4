// Package kubeconfigfile writes kubeconfig files for processes run outside
// a cluster against an API server (the demo's workloads, the tests'
// operator, webhook server and relay processes): one with the admin's own
// credentials, or one holding only a ServiceAccount's token, as a pod's
// projected token would.
package kubeconfigfile

import (
	"context"
	"fmt"
	"net/url"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// contextName names the cluster, user and context in the files written.
const contextName = "whatsapp-operator"

// Admin writes a kubeconfig at path with cfg's own credentials (client
// certificate or bearer token), namespace as the default ("" for none).
func Admin(cfg *rest.Config, path, namespace string) error {
	return write(cfg, path, namespace, &clientcmdapi.AuthInfo{
		ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken})
}

// ServiceAccount asks the API server for a token of the ServiceAccount
// saNamespace/saName lasting lifetime (the server may grant less) and
// writes a kubeconfig at path holding only that token and the server's CA:
// the process can do what the account's Role allows and nothing more.
func ServiceAccount(ctx context.Context, cfg *rest.Config, saNamespace, saName, path string, lifetime time.Duration) error {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	seconds := int64(lifetime / time.Second)
	tr, err := cs.CoreV1().ServiceAccounts(saNamespace).CreateToken(ctx, saName, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &seconds},
	}, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("request a token for ServiceAccount %s/%s: %w", saNamespace, saName, err)
	}
	return write(cfg, path, saNamespace, &clientcmdapi.AuthInfo{Token: tr.Status.Token})
}

// write writes a kubeconfig for cfg's server with user as its credentials.
func write(cfg *rest.Config, path, namespace string, user *clientcmdapi.AuthInfo) error {
	host, err := url.Parse(cfg.Host)
	if err != nil {
		return err
	}
	server := cfg.Host
	if host.Host != "" { // "https://h:6443": keep cfg's API path, pick the scheme cfg's transport uses
		scheme := "https"
		if !rest.IsConfigTransportTLS(*cfg) {
			scheme = "http"
		}
		server = (&url.URL{Scheme: scheme, Host: host.Host, Path: cfg.APIPath}).String()
	}
	kc := clientcmdapi.NewConfig()
	kc.Clusters[contextName] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos[contextName] = user
	kc.Contexts[contextName] = &clientcmdapi.Context{Cluster: contextName, AuthInfo: contextName, Namespace: namespace}
	kc.CurrentContext = contextName
	return clientcmd.WriteToFile(*kc, path)
}
