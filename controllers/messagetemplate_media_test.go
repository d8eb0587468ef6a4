package controllers_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// Samples as a media host serves them: bytes that are what they claim.
var samples = map[string]struct {
	contentType string
	data        []byte
}{
	"/logo.png":  {"image/png", append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{1}, 1500)...)},
	"/clip.mp4":  {"video/mp4", append([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), bytes.Repeat([]byte{2}, 3000)...)},
	"/terms.pdf": {"application/pdf", append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 2000)...)},
}

// mediaHost serves the samples over TLS and counts the fetches.
type mediaHost struct {
	*httptest.Server
	mu      sync.Mutex
	fetches map[string]int
}

func newMediaHost(t *testing.T) *mediaHost {
	t.Helper()
	h := &mediaHost{fetches: map[string]int{}}
	h.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.fetches[r.URL.Path]++
		h.mu.Unlock()
		s, ok := samples[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", s.contentType)
		_, _ = w.Write(s.data)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *mediaHost) total() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, v := range h.fetches {
		n += v
	}
	return n
}

func mediaHeader(format, url string) func(*whatsappv1alpha1.MessageTemplate) {
	return func(mt *whatsappv1alpha1.MessageTemplate) {
		mt.Spec.Category = whatsappv1alpha1.CategoryMarketing
		mt.Spec.Header = &whatsappv1alpha1.TemplateHeader{Format: format, ExampleURL: url}
	}
}

func TestMediaHeaderTemplatesGoThroughUploadSessions(t *testing.T) {
	t.Parallel()
	host := newMediaHost(t)
	f := newFixture(t, fixtureOptions{mediaServer: host.Server, review: graphsim.Review{Status: "APPROVED"}, reviewDelay: 100 * time.Millisecond})
	f.readyProvider("acme")
	objs := map[string]*whatsappv1alpha1.MessageTemplate{
		"image-offer":    f.template("image-offer", mediaHeader("IMAGE", host.URL+"/logo.png")),
		"video-offer":    f.template("video-offer", mediaHeader("VIDEO", host.URL+"/clip.mp4")),
		"document-offer": f.template("document-offer", mediaHeader("DOCUMENT", host.URL+"/terms.pdf")),
	}
	wantType := map[string]string{"image-offer": "image/png", "video-offer": "video/mp4", "document-offer": "application/pdf"}
	handles := map[string]string{}
	for name, mt := range objs {
		// The simulator refuses a header_handle it did not issue, as Meta
		// does: Ready means the upload's handle went with the template.
		f.waitCondition(mt, "Ready", metav1.ConditionTrue, "")
		ex := mt.Status.HeaderExample
		if ex == nil {
			t.Errorf("%s: no status.headerExample", name)
			continue
		}
		sum := sha256.Sum256(samples[strings.TrimPrefix(ex.URL, host.URL)].data)
		if ex.Handle == "" || ex.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: status.headerExample = %+v, want the handle and the sample's sha256", name, ex)
			continue
		}
		handles[ex.Handle] = wantType[name]
	}
	uploads := f.sim.Uploads()
	if len(uploads) != 3 {
		t.Fatalf("files uploaded to Meta = %d, want 3", len(uploads))
	}
	for _, u := range uploads {
		if handles[u.Handle] != u.FileType || u.AppID != appID {
			t.Errorf("upload %+v: not the handle of a template of type %s for app %s", u, handles[u.Handle], appID)
		}
	}

	// An unchanged spec uploads nothing, fetches nothing.
	calls := f.sim.Calls(graphsim.EndpointCreateUploadSession) + f.sim.Calls(graphsim.EndpointUploadFile)
	fetches := host.total()
	for _, mt := range objs {
		v := f.requestReconcile(mt)
		f.eventually("request handled", func() bool { f.get(mt); return mt.Status.LastHandledReconcileAt == v })
	}
	// A changed body is sent as an edit that names the same handle.
	img := objs["image-offer"]
	f.get(img)
	patch := client.MergeFrom(img.DeepCopy())
	img.Spec.Body.Text = "Hi {{1}}, your order {{2}} has shipped with a gift."
	if err := f.c.Patch(context.Background(), img, patch); err != nil {
		t.Fatal(err)
	}
	f.waitCondition(img, "Ready", metav1.ConditionTrue, "")
	if n := f.sim.Calls(graphsim.EndpointEditTemplate); n != 1 {
		t.Errorf("edits = %d, want 1", n)
	}
	if n := f.sim.Calls(graphsim.EndpointCreateUploadSession) + f.sim.Calls(graphsim.EndpointUploadFile); n != calls {
		t.Errorf("upload calls %d → %d for an unchanged sample, want none", calls, n)
	}
	if n := host.total(); n != fetches {
		t.Errorf("sample fetches %d → %d for an unchanged sample, want none", fetches, n)
	}
}

func TestMediaHeaderThatCannotBeUploadedSaysWhy(t *testing.T) {
	t.Parallel()
	host := newMediaHost(t)
	cases := map[string]struct {
		reason     string
		noAppID    bool
		url        string
		wantReason string
		wantIn     []string
	}{
		"provider without appID": {
			reason: "Meta takes a sample only as a file uploaded to the app", noAppID: true, url: host.URL + "/logo.png",
			wantReason: "MediaNeedsAppID", wantIn: []string{"spec.appID", "MetaProvider acme"},
		},
		"sample on a refused address": {
			reason: "the default fetcher refuses loopback: a URL must not reach the operator's pod",
			url:    host.URL + "/logo.png", wantReason: "MediaExampleInvalid", wantIn: []string{"loopback", "spec.header.exampleURL"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, fixtureOptions{}) // the production fetcher
			f.readyProvider("acme", func(p *whatsappv1alpha1.MetaProvider) {
				if tc.noAppID {
					p.Spec.AppID = ""
				}
			})
			mt := f.template("image-offer", mediaHeader("IMAGE", tc.url))
			f.waitCondition(mt, "Stalled", metav1.ConditionTrue, tc.wantReason)
			msg := condition(mt, "Submitted").Message
			for _, want := range tc.wantIn {
				if !strings.Contains(msg, want) {
					t.Errorf("Submitted message lacks %q (%s): %s", want, tc.reason, msg)
				}
			}
			if n := f.sim.Calls(graphsim.EndpointCreateTemplate) + f.sim.Calls(graphsim.EndpointCreateUploadSession); n != 0 {
				t.Errorf("%d create or upload calls for a sample that cannot be used", n)
			}
		})
	}
}
