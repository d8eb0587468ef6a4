package main

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"text/template"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubechat/whatsapp-operator/test/e2e"
)

// manifests is the YAML a team would apply; [[...]] are the demo's values.
//
//go:embed manifests.yaml
var manifests string

// manifestValues fill in manifests.yaml.
type manifestValues struct {
	Namespace, ChatbotURL                       string
	AccessToken, AppSecret, VerifyToken         string
	WABAID, AppID, PhoneNumber, GraphAPIVersion string
	SalesPhoneNumber                            string
}

// renderManifests fills in manifests.yaml for namespace and chatbot.
func renderManifests(namespace, chatbotURL string) ([]byte, error) {
	t, err := template.New("manifests.yaml").Delims("[[", "]]").Option("missingkey=error").Parse(manifests)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = t.Execute(&b, manifestValues{
		Namespace: namespace, ChatbotURL: chatbotURL,
		AccessToken: e2e.AccessToken, AppSecret: e2e.AppSecret, VerifyToken: e2e.VerifyToken,
		WABAID: e2e.WABAID, AppID: e2e.AppID, PhoneNumber: e2e.PhoneNumber, GraphAPIVersion: e2e.GraphAPIVersion,
		SalesPhoneNumber: salesPhoneNumber,
	})
	return b.Bytes(), err
}

// apply creates every object of a multi-document YAML, as `kubectl create
// -f` would, and returns "Kind/name" of each.
func apply(ctx context.Context, c client.Client, doc []byte) ([]string, error) {
	dec := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(doc), 4096)
	var created []string
	for {
		obj := &unstructured.Unstructured{}
		if err := dec.Decode(&obj.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return created, nil
			}
			return created, fmt.Errorf("decode the manifests: %w", err)
		}
		if len(obj.Object) == 0 {
			continue
		}
		if err := c.Create(ctx, obj); err != nil {
			return created, fmt.Errorf("create %s %s: %w", obj.GetKind(), obj.GetName(), err)
		}
		created = append(created, obj.GetKind()+"/"+obj.GetName())
	}
}
