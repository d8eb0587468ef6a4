package graph_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// A media header's sample goes through Meta's Resumable Upload API; the
// handle it answers is what a template names, and a handle Meta did not
// issue is refused.
func TestUploadHandleIsWhatAMediaHeaderNames(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 2048)...)
	handle, err := e.client.Upload(ctx, appID, "sample.png", "image/png", png)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(handle, testToken) {
		t.Fatal("the token is in the handle")
	}
	files := e.sim.Uploads()
	if len(files) != 1 || files[0].Handle != handle || files[0].Size != len(png) || files[0].FileType != "image/png" {
		t.Fatalf("uploads at Meta = %+v, want the one file behind %q", files, handle)
	}
	header := func(h string) graph.TemplateSpec {
		return graph.TemplateSpec{Name: "spring_" + strings.ToLower(h[:1]), Language: "en_US", Category: "MARKETING", Components: []graph.Component{
			{Type: "HEADER", Format: "IMAGE", Example: &graph.ComponentExample{HeaderHandle: []string{h}}},
			{Type: "BODY", Text: "Our spring collection is here for you today"},
		}}
	}
	if _, err := e.client.CreateTemplate(ctx, wabaID, header(handle)); err != nil {
		t.Errorf("a template with the issued handle was refused: %v", err)
	}
	_, err = e.client.CreateTemplate(ctx, wabaID, header("https://cdn.example/sample.png"))
	if graph.Classify(err) != graph.ClassNotFound || !strings.Contains(graph.Describe(err), "Resumable Upload API") {
		t.Errorf("a URL in place of a handle: %v (%s), want Meta's code 100 naming the upload API", err, graph.Classify(err))
	}
	if n := e.sim.Calls(graphsim.EndpointCreateUploadSession) + e.sim.Calls(graphsim.EndpointUploadFile); n != 2 {
		t.Errorf("upload calls = %d, want 2 (a session and the bytes)", n)
	}
}

func TestUploadRefusesWhatTheAPIRefuses(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	if _, err := e.client.Upload(ctx, appID, "page.html", "text/html", []byte("<html>")); graph.Classify(err) != graph.ClassNotFound {
		t.Errorf("an HTML file: %v, want Meta's code 100 (only PDF, JPEG, PNG, MP4)", err)
	}
	if _, err := e.client.Upload(ctx, "999000999000999", "a.png", "image/png", []byte("x")); err == nil {
		t.Error("an upload to an app the token does not belong to was accepted")
	}
	if _, err := e.client.UploadFile(ctx, "not-a-session", "image/png", []byte("x")); err == nil {
		t.Error("a session id without upload: was sent")
	}
}
