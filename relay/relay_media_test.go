package relay

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
	"github.com/kubechat/whatsapp-operator/internal/testwait"
)

// uploadForm builds Meta's upload form: messaging_product, type, file.
func uploadForm(t *testing.T, mimeType, filename string, file []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	must(t, w.WriteField("messaging_product", "whatsapp"))
	if mimeType != "" {
		must(t, w.WriteField("type", mimeType))
	}
	part, err := w.CreateFormFile("file", filename)
	must(t, err)
	_, err = io.Copy(part, bytes.NewReader(file))
	must(t, err)
	must(t, w.Close())
	return buf.Bytes(), w.FormDataContentType()
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{R: 255, A: 255})
	var buf bytes.Buffer
	must(t, png.Encode(&buf, img))
	return buf.Bytes()
}

// TestUploadsAreCheckedThenForwarded: an upload reaches Meta as Meta's
// form and is answered with Meta's id; a file whose content contradicts
// its type, a type WhatsApp does not take, or a file over its type's size
// never reaches Meta.
func TestUploadsAreCheckedThenForwarded(t *testing.T) {
	t.Parallel()
	h := startHarness(t, setup{})
	body, ct := uploadForm(t, "image/png", "dot.png", pngBytes(t))
	a := h.post("/v25.0/"+testPNID+"/media", ct, body)
	id, _ := a.body["id"].(string)
	if a.status != http.StatusOK || id == "" {
		t.Fatalf("upload: %d %s", a.status, a.raw)
	}
	m, ok := h.sim.Media(id)
	if !ok || m.MIMEType != "image/png" || m.Size != len(pngBytes(t)) || m.Filename != "dot.png" {
		t.Errorf("Meta holds %+v, want the PNG as sent", m)
	}
	refused := map[string]struct {
		mimeType string
		file     []byte
		wantIn   string
	}{
		"content": {mimeType: "image/jpeg", file: pngBytes(t), wantIn: "the file's content is image/png, not the image/jpeg its type says"},
		"type":    {mimeType: "application/x-msdownload", file: []byte("MZ\x90\x00"), wantIn: "type application/x-msdownload is not a media type WhatsApp accepts"},
		"size":    {mimeType: "image/png", file: append(pngBytes(t), make([]byte, 5<<20)...), wantIn: "image/png files are at most 5242880 bytes (5 MB)"},
		"html":    {mimeType: "application/pdf", file: []byte("<!DOCTYPE html><html><body>hi</body></html>"), wantIn: "the file's content is text/html"},
	}
	for name, tc := range refused {
		body, ct := uploadForm(t, tc.mimeType, "f", tc.file)
		a := h.post("/v25.0/"+testPNID+"/media", ct, body)
		if a.status != http.StatusBadRequest || !strings.Contains(a.errMessage(), tc.wantIn) {
			t.Errorf("%s: got %d %s, want 400 naming %q", name, a.status, a.raw, tc.wantIn)
		}
	}
	if n := h.sim.CallCounts()[graphsim.EndpointUploadMedia]; n != 1 {
		t.Errorf("%d uploads reached Meta, want only the valid one", n)
	}
	metrics := scrape(t, h.url+PathMetrics)
	for _, want := range []string{"whatsapp_relay_requests_total", "whatsapp_relay_queue_wait_seconds", "whatsapp_graph_requests_total"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, leaked := range []string{testAccessToken, testAppSecret, testVerifyToken} {
		if strings.Contains(metrics, leaked) || strings.Contains(h.logs.String(), leaked) {
			t.Error("a secret reached /metrics or the logs")
		}
	}
}

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	must(t, err)
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestReadyOnlyWithAToken: the relay is ready once its caches synced and
// the access token is loaded; a Secret without it makes the relay
// unready and sends get 503 (nothing sent), and a rotated token is used
// at once.
func TestReadyOnlyWithAToken(t *testing.T) {
	t.Parallel()
	h := startHarness(t, setup{})
	ctx := t.Context()
	var s corev1.Secret
	must(t, h.c.Get(ctx, client.ObjectKey{Namespace: h.ns, Name: "acme-meta"}, &s))
	delete(s.Data, whatsappv1alpha1.SecretKeyAccessToken)
	must(t, h.c.Update(ctx, &s))
	testwait.Until(t, 10*time.Second, "the relay turns unready without a token", func() bool {
		resp, err := http.Get(h.url + PathReadyz)
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusServiceUnavailable
	})
	if a := h.send(testPNID, text("hi")); a.status != http.StatusServiceUnavailable || a.errCode() != 2 {
		t.Errorf("without a token: %d %s, want 503 code 2", a.status, a.raw)
	}
	rotated := testAccessToken + "-rotated"
	h.sim.AddToken(graphsim.Token{Value: rotated, AppID: testAppID})
	s.Data[whatsappv1alpha1.SecretKeyAccessToken] = []byte(rotated + "\n")
	must(t, h.c.Update(ctx, &s))
	h.waitSenders(1)
	must(t, h.sim.RevokeToken(testAccessToken))
	if a := h.send(testPNID, text("hi")); a.status != http.StatusOK {
		t.Errorf("the rotated token is used at once: %d %s", a.status, a.raw)
	}
	if h.sendCalls() != 1 {
		t.Errorf("%d sends reached Meta, want only the one with a token", h.sendCalls())
	}
}
