package relay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// clientLibDir holds the Node.js client library the relay is proven with
// and the script that drives it; `make clientlib-deps` installs it there.
const clientLibDir = "../test/clientlib"

// clientLibPackage is the library, as package-lock.json pins it.
const clientLibPackage = "@kapso/whatsapp-cloud-api"

// libraryToken is what the library sends as its Authorization header.
const libraryToken = "EAAG-library-token-the-relay-must-drop"

// TestClientLibrarySendsThroughTheRelay: an existing, maintained WhatsApp
// Cloud API client library, unmodified and pointed at the relay by its
// base URL only, sends a text, uploads an image and sends it by id, sends
// an image by link, a template and interactive buttons and list. Every
// message reaches Meta once, as the library built it, the library reads
// Meta's answers (wamids, the media id), and the library's own
// Authorization header never reaches Meta: the relay sends the provider's
// token instead.
func TestClientLibrarySendsThroughTheRelay(t *testing.T) {
	t.Parallel()
	node := clientLibNode(t)
	seen := &authLog{}
	h := startHarness(t, setup{simHandler: seen.wrap})
	if _, err := h.sim.AddTemplate(testWABA, graphsim.Template{Name: "order_update", Language: "en_US", Category: "UTILITY",
		Status: graphsim.StatusApproved, ParameterFormat: "POSITIONAL",
		Components: json.RawMessage(`[{"type":"BODY","text":"Hi {{1}}, your order {{2}} has shipped."}]`)}); err != nil {
		t.Fatal(err)
	}
	png := pngBytes(t)
	imageFile := filepath.Join(t.TempDir(), "receipt.png")
	must(t, os.WriteFile(imageFile, png, 0o600))
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(png)
	}))
	t.Cleanup(cdn.Close)
	link := cdn.URL + "/receipt.png"

	got := runClientLib(t, node, map[string]string{
		"RELAY_BASE_URL": h.url, "PHONE_NUMBER_ID": testPNID, "TO": testRecipient, "LIBRARY_TOKEN": libraryToken,
		"IMAGE_FILE": imageFile, "MEDIA_LINK": link, "TEMPLATE_NAME": "order_update", "TEMPLATE_LANGUAGE": "en_US",
	})

	m, ok := h.sim.Media(got["upload"])
	if !ok || m.MIMEType != "image/png" || m.Size != len(png) || m.Filename != "receipt.png" || m.PhoneNumberID != testPNID {
		t.Errorf("Meta holds media %q as %+v, want the library's PNG upload", got["upload"], m)
	}
	sent := map[string]map[string]any{}
	for _, s := range h.sim.SentMessages(testPNID) {
		var body map[string]any
		must(t, json.Unmarshal(s.Body, &body))
		sent[s.ID] = body
	}
	if len(sent) != 6 {
		t.Errorf("Meta accepted %d messages, want the library's 6, each once", len(sent))
	}
	checks := map[string]struct {
		reason string
		want   map[string]any // JSON paths (dot-separated, numbers index lists) → value at Meta
	}{
		"text": {reason: "a text as Meta's send API has it", want: map[string]any{
			"type": "text", "text.body": "Your order 4521 has shipped."}},
		"imageById": {reason: "the uploaded image, by the id Meta answered the upload with", want: map[string]any{
			"type": "image", "image.id": got["upload"], "image.caption": "Your receipt"}},
		"imageByLink": {reason: "an image by link, after the relay's link check", want: map[string]any{
			"type": "image", "image.link": link}},
		"template": {reason: "a template with its positional parameters", want: map[string]any{
			"type": "template", "template.name": "order_update", "template.language.code": "en_US",
			"template.components.0.type": "body", "template.components.0.parameters.0.text": "John", "template.components.0.parameters.1.text": "#4521"}},
		"buttons": {reason: "interactive reply buttons", want: map[string]any{
			"type": "interactive", "interactive.type": "button", "interactive.body.text": "Was this answer helpful?",
			"interactive.footer.text": "Acme Support", "interactive.action.buttons.2.reply.id": "agent",
			"interactive.action.buttons.2.reply.title": "Talk to a person"}},
		"list": {reason: "an interactive list", want: map[string]any{
			"type": "interactive", "interactive.type": "list", "interactive.action.button": "Slots",
			"interactive.action.sections.0.title": "Tomorrow", "interactive.action.sections.0.rows.1.id": "pm",
			"interactive.action.sections.0.rows.1.description": "12:00 to 18:00"}},
	}
	for name, c := range checks {
		body, ok := sent[got[name]]
		if !ok {
			t.Errorf("%s: the library got wamid %q, which Meta never issued (%s)", name, got[name], c.reason)
			continue
		}
		c.want["messaging_product"], c.want["to"] = "whatsapp", testRecipient
		for path, want := range c.want {
			if v := jsonPath(body, path); v != want {
				t.Errorf("%s (%s): Meta got %s = %v, want %v", name, c.reason, path, v, want)
			}
		}
		if _, leaked := body[ExtensionField]; leaked {
			t.Errorf("%s: Meta got the relay's %s field", name, ExtensionField)
		}
	}

	auth := seen.headers()
	if len(auth) != 7 {
		t.Errorf("%d requests reached Meta, want 7 (6 sends and 1 upload)", len(auth))
	}
	for _, a := range auth {
		if a != "Bearer "+testAccessToken {
			t.Errorf("Meta got Authorization %q, want the provider's token and never the library's", strings.ReplaceAll(a, testAccessToken, "<provider token>"))
		}
	}
}

// clientLibNode finds node and checks that the library is installed as
// package-lock.json pins it. Both missing is a failure that says what to
// do, never a skip: the test is the proof the relay speaks Meta's API.
func clientLibNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("Node.js (node >= 20.19) is needed to run the client library against the relay: install it (apt-get install nodejs npm), then run `make clientlib-deps`: %v", err)
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	raw, err := os.ReadFile(filepath.Join(clientLibDir, "package-lock.json"))
	must(t, err)
	must(t, json.Unmarshal(raw, &lock))
	want := lock.Packages["node_modules/"+clientLibPackage].Version
	var installed struct {
		Version string `json:"version"`
	}
	raw, err = os.ReadFile(filepath.Join(clientLibDir, "node_modules", clientLibPackage, "package.json"))
	if err == nil {
		err = json.Unmarshal(raw, &installed)
	}
	if err != nil || installed.Version != want {
		t.Fatalf("%s %s is not installed in test/clientlib (found %q): run `make clientlib-deps` (npm ci there)", clientLibPackage, want, installed.Version)
	}
	return node
}

// runClientLib runs send.mjs with env and returns what it printed: the
// wamid of each send and the media id of the upload.
func runClientLib(t *testing.T, node string, env map[string]string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "send.mjs")
	cmd.Dir = clientLibDir
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) || ctx.Err() != nil {
			t.Fatalf("the client library failed against the relay (%v):\n%s", err, stderr.String())
		}
		t.Fatal(err)
	}
	got := map[string]string{}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("send.mjs printed %q: %v", out, err)
	}
	for _, k := range []string{"text", "upload", "imageById", "imageByLink", "template", "buttons", "list"} {
		if got[k] == "" {
			t.Fatalf("send.mjs printed no %s: %s", k, out)
		}
	}
	return got
}

// jsonPath reads a dot-separated path in decoded JSON; list elements are
// numbered. nil when absent.
func jsonPath(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			var i int
			if _, err := fmt.Sscan(k, &i); err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// authLog records the Authorization header of every request that reaches
// the simulator's Graph API (its control surface aside).
type authLog struct {
	mu   sync.Mutex
	seen []string
}

func (l *authLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, graphsim.ControlPrefix) {
			l.mu.Lock()
			l.seen = append(l.seen, r.Header.Get("Authorization"))
			l.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

func (l *authLog) headers() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.seen)
}
