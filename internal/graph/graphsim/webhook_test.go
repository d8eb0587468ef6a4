package graphsim_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// receiver is a webhook endpoint that records what it got.
type receiver struct {
	mu     sync.Mutex
	bodies [][]byte
	sigs   []string
	got    chan struct{}
}

func newReceiver(t *testing.T) (*receiver, string) {
	r := &receiver{got: make(chan struct{}, 16)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodGet {
			if req.URL.Query().Get("hub.verify_token") == "good" {
				_, _ = io.WriteString(w, req.URL.Query().Get("hub.challenge"))
				return
			}
			w.WriteHeader(http.StatusForbidden)
			return
		}
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, b)
		r.sigs = append(r.sigs, req.Header.Get("X-Hub-Signature-256"))
		r.mu.Unlock()
		r.got <- struct{}{}
	}))
	t.Cleanup(srv.Close)
	return r, srv.URL
}

// verify checks a signature the way a webhook server must: HMAC-SHA256 of
// the raw bytes with the app secret, compared in constant time.
func verify(appSecret string, body []byte, header string) bool {
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	sig, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write(body)
	return hmac.Equal(sig, m.Sum(nil))
}

func TestDeliverWebhookSignature(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{})
	rcv, url := newReceiver(t)
	payload := graphsim.TextMessageWebhook(graphsim.Inbound{
		WABAID: wabaID, PhoneNumberID: phoneID, DisplayPhoneNumber: "12025550123",
		From: "16505551234", ProfileName: "Sheena", Timestamp: time.Unix(1749416383, 0),
	}, "Does it come in blue? 💙 @acme")
	resp, err := e.sim.DeliverWebhook(context.Background(), url, secret, payload)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.bodies) != 1 {
		t.Fatalf("one delivery, got %d", len(rcv.bodies))
	}
	cases := map[string]struct {
		reason string
		secret string
		body   []byte
		want   bool
	}{
		"Valid":       {reason: "the signature verifies with the app secret over the raw bytes", secret: secret, body: rcv.bodies[0], want: true},
		"WrongSecret": {reason: "another secret does not verify", secret: "other", body: rcv.bodies[0], want: false},
		"Tampered":    {reason: "a changed body does not verify", secret: secret, body: append([]byte(" "), rcv.bodies[0]...), want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := verify(tc.secret, tc.body, rcv.sigs[0]); got != tc.want {
				t.Errorf("%s: verify=%v", tc.reason, got)
			}
		})
	}
	if string(rcv.bodies[0]) != string(payload) || rcv.sigs[0] != graphsim.Sign(secret, payload) {
		t.Errorf("the body arrives byte for byte with Sign's signature")
	}
}

// shape maps each key path of a JSON document to its JSON kind; array
// elements share the path "[]".
func shape(t *testing.T, raw []byte) map[string]string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(string, any)
	walk = func(p string, v any) {
		switch x := v.(type) {
		case map[string]any:
			out[p] = "object"
			for k, c := range x {
				walk(p+"."+k, c)
			}
		case []any:
			out[p] = "array"
			for _, c := range x {
				walk(p+"[]", c)
			}
		case string:
			out[p] = "string"
		case float64:
			out[p] = "number"
		case bool:
			out[p] = "bool"
		}
	}
	walk("", v)
	return out
}

func fixture(t *testing.T, file, scenario string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "meta-webhooks", file))
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		t.Fatal(err)
	}
	return all[scenario]
}

func TestPayloadShapesMatchFixtures(t *testing.T) {
	in := graphsim.Inbound{WABAID: "1", PhoneNumberID: "2", DisplayPhoneNumber: "3", From: "4",
		UserID: "US.1", ParentUserID: "US.ENT.1", ProfileName: "n", MessageID: "wamid.x", Timestamp: time.Unix(1, 0)}
	media := graphsim.MediaRef{ID: "1", MIMEType: "image/jpeg", SHA256: "x"}
	cases := map[string]struct {
		reason         string
		file, scenario string
		got            []byte
		ignore         []string // fixture paths the builder leaves out on purpose
	}{
		"Text":     {reason: "inbound text", file: "message.json", scenario: "text", got: graphsim.TextMessageWebhook(in, "hi")},
		"Image":    {reason: "inbound image", file: "message.json", scenario: "image", got: graphsim.ImageMessageWebhook(in, media)},
		"Voice":    {reason: "voice note", file: "message.json", scenario: "voice", got: graphsim.AudioMessageWebhook(in, graphsim.MediaRef{ID: "1", MIMEType: "audio/ogg", SHA256: "x", Voice: true})},
		"Sticker":  {reason: "sticker", file: "message.json", scenario: "static_sticker", got: graphsim.StickerMessageWebhook(in, media)},
		"Reaction": {reason: "reaction", file: "message.json", scenario: "reaction", got: graphsim.ReactionWebhook(in, "wamid.y", "😮")},
		"Sent": {
			reason: "status sent with conversation and pricing", file: "message_status.json", scenario: "sent",
			got:    graphsim.StatusWebhook(graphsim.Status{WABAID: "1", PhoneNumberID: "2", DisplayPhoneNumber: "3", MessageID: "wamid.x", RecipientID: "4", Status: "sent"}),
			ignore: []string{".entry[].changes[].value.contacts"},
		},
		"Failed": {
			reason: "status failed with errors", file: "message_status.json", scenario: "failed",
			got:    graphsim.StatusWebhook(graphsim.Status{WABAID: "1", PhoneNumberID: "2", DisplayPhoneNumber: "3", MessageID: "wamid.x", RecipientID: "4", Status: "failed", Errors: []graphsim.StatusError{graphsim.WindowClosedError()}}),
			ignore: []string{".entry[].changes[].value.contacts"},
		},
		"TemplateApproved": {
			reason: "template status update: numeric template id, no phone_number_id", file: "template_status_update.json", scenario: "approved",
			got: graphsim.TemplateStatusWebhook(graphsim.TemplateEvent{WABAID: "1", TemplateID: "1689556908129832", Name: "n", Language: "en_US", Event: "APPROVED", Category: "UTILITY"}),
		},
		"TemplateRejected": {
			reason: "template rejection with rejection_info", file: "template_status_update.json", scenario: "rejected",
			got: graphsim.TemplateStatusWebhook(graphsim.TemplateEvent{WABAID: "1", TemplateID: "1689556908129835", Name: "n", Language: "en", Event: "REJECTED",
				Reason: "INVALID_FORMAT", Category: "MARKETING", RejectionReason: "r", Recommendation: "s"}),
		},
		"TemplateQuality": {
			reason: "template quality update", file: "template_quality_update.json", scenario: "yellow",
			got: graphsim.TemplateQualityWebhook(graphsim.TemplateQuality{WABAID: "1", TemplateID: "806312974732579", Name: "n", Language: "en_US", Previous: "GREEN", New: "YELLOW"}),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			want := shape(t, fixture(t, tc.file, tc.scenario))
			for p := range want {
				for _, ig := range tc.ignore {
					if strings.HasPrefix(p, ig) {
						delete(want, p)
					}
				}
			}
			if diff := cmp.Diff(want, shape(t, tc.got)); diff != "" {
				t.Errorf("%s: key paths and kinds differ from the fixture: -fixture +builder:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestAutomaticTemplateWebhook(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{})
	rcv, url := newReceiver(t)
	e.sim.AddApp(graphsim.App{ID: appID, Name: "Acme Bot App", Secret: secret, CallbackURL: url})
	if a := e.call(t, http.MethodPost, wabaPath+"/subscribed_apps", token, nil); a.status != 200 {
		t.Fatal(a.body)
	}
	id := e.call(t, http.MethodPost, templatesPath, token, createBody("x", "en")).body["id"].(string)
	if err := e.sim.SetTemplateStatus(id, "REJECTED", "INVALID_FORMAT"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-rcv.got:
	case <-time.After(10 * time.Second):
		t.Fatal("a status change is delivered to the subscribed app's callback")
	}
	rcv.mu.Lock()
	body, sig := rcv.bodies[0], rcv.sigs[0]
	rcv.mu.Unlock()
	if !verify(secret, body, sig) {
		t.Errorf("the delivery is signed with the app secret")
	}
	var got struct {
		Entry []struct {
			ID      string
			Changes []struct {
				Field string
				Value map[string]any
			}
		}
	}
	_ = json.Unmarshal(body, &got)
	ch := got.Entry[0].Changes[0]
	if got.Entry[0].ID != wabaID || ch.Field != "message_template_status_update" || ch.Value["event"] != "REJECTED" || ch.Value["reason"] != "INVALID_FORMAT" {
		t.Errorf("template status webhook: %+v", got)
	}
	e.sim.Close()
	if d := e.sim.Deliveries(); len(d) != 1 || d[0].StatusCode != 200 {
		t.Errorf("deliveries are recorded, got %+v", d)
	}
}

func TestVerifyCallbacks(t *testing.T) {
	_, url := newReceiver(t)
	cases := map[string]struct {
		reason     string
		verify     string
		wantStatus int
		wantCode   int
	}{
		"Good": {reason: "the endpoint echoes the challenge", verify: "good", wantStatus: 200},
		"Bad":  {reason: "a failed handshake is 2200", verify: "bad", wantStatus: 400, wantCode: 2200},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newSimEnv(t, graphsim.Options{VerifyCallbacks: true})
			a := e.call(t, http.MethodPost, wabaPath+"/subscribed_apps", token, map[string]string{"override_callback_uri": url, "verify_token": tc.verify})
			if code, _ := a.errCode(); a.status != tc.wantStatus || code != tc.wantCode {
				t.Fatalf("%s: got %d %v", tc.reason, a.status, a.body)
			}
			subs := e.sim.Subscriptions(wabaID)
			if (len(subs) == 1) != (tc.wantStatus == 200) {
				t.Errorf("%s: subscriptions %+v", tc.reason, subs)
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{})
	var wg sync.WaitGroup
	const workers, each = 8, 20
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				switch (w + i) % 4 {
				case 0:
					e.call(t, http.MethodGet, templatesPath, token, nil)
				case 1:
					e.call(t, http.MethodPost, templatesPath, token, createBody("t_"+string(rune('a'+w))+"_"+string(rune('a'+i)), "en"))
				case 2:
					e.call(t, http.MethodPost, messagesPath, token, textTo("16505551234"))
				default:
					_ = e.sim.Templates(wabaID)
					e.sim.InjectFault(graphsim.Fault{Endpoint: "none", Kind: graphsim.FaultServerError, Times: 1})
				}
			}
		})
	}
	wg.Wait()
	counts := e.sim.CallCounts()
	var sum []int
	for _, v := range counts {
		sum = append(sum, v)
	}
	sort.Ints(sum)
	total := 0
	for _, v := range sum {
		total += v
	}
	if total != e.sim.TotalCalls() || total != workers*each*3/4 {
		t.Errorf("every request is counted once under concurrency: total %d, counts %v", e.sim.TotalCalls(), counts)
	}
}
