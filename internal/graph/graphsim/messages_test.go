package graphsim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

const messagesPath = "/v25.0/" + phoneID + "/messages"

func textTo(to string) map[string]any {
	return map[string]any{"messaging_product": "whatsapp", "to": to, "type": "text", "text": map[string]string{"body": "hi"}}
}

func templateTo(to, name, lang string) map[string]any {
	return map[string]any{"messaging_product": "whatsapp", "to": to, "type": "template",
		"template": map[string]any{"name": name, "language": map[string]string{"code": lang}}}
}

func TestSendMessage(t *testing.T) {
	cases := map[string]struct {
		reason     string
		setup      func(*testing.T, *simEnv)
		body       map[string]any
		wantStatus int
		wantCode   int
	}{
		"Text": {reason: "a text within the window answers a wamid", body: textTo("16505551234"), wantStatus: 200},
		"WindowClosed": {
			reason: "a free-form message to a closed window is 131047",
			setup:  func(t *testing.T, e *simEnv) { _ = e.sim.CloseWindow(phoneID, "+1 650-555-1234") },
			body:   textTo("16505551234"), wantStatus: 400, wantCode: 131047,
		},
		"OtherRecipientOpen": {
			reason: "closing one recipient's window leaves others open",
			setup:  func(t *testing.T, e *simEnv) { _ = e.sim.CloseWindow(phoneID, "16505551234") },
			body:   textTo("16505550000"), wantStatus: 200,
		},
		"AllClosed": {
			reason: "closing with no recipient closes every window",
			setup:  func(t *testing.T, e *simEnv) { _ = e.sim.CloseWindow(phoneID, "") },
			body:   textTo("16505550000"), wantStatus: 400, wantCode: 131047,
		},
		"Reopened": {
			reason: "an opened window accepts text again",
			setup: func(t *testing.T, e *simEnv) {
				_ = e.sim.CloseWindow(phoneID, "16505551234")
				_ = e.sim.OpenWindow(phoneID, "16505551234")
			},
			body: textTo("16505551234"), wantStatus: 200,
		},
		"TemplateOutsideWindow": {
			reason: "an approved template still reaches a closed window",
			setup: func(t *testing.T, e *simEnv) {
				_ = e.sim.CloseWindow(phoneID, "")
				_, _ = e.sim.AddTemplate(wabaID, graphsim.Template{Name: "new_bot_message", Language: "en", Category: "UTILITY"})
			},
			body: templateTo("16505551234", "new_bot_message", "en"), wantStatus: 200,
		},
		"TemplateMissing": {
			reason: "a template not approved in that language is 132001 with HTTP 404",
			setup: func(t *testing.T, e *simEnv) {
				_, _ = e.sim.AddTemplate(wabaID, graphsim.Template{Name: "new_bot_message", Language: "en", Category: "UTILITY"})
			},
			body: templateTo("16505551234", "new_bot_message", "es"), wantStatus: 404, wantCode: 132001,
		},
		"NoProduct": {reason: "messaging_product is required", body: map[string]any{"to": "1"}, wantStatus: 400, wantCode: 100},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newSimEnv(t, graphsim.Options{})
			if tc.setup != nil {
				tc.setup(t, e)
			}
			a := e.call(t, http.MethodPost, messagesPath, token, tc.body)
			if a.status != tc.wantStatus {
				t.Fatalf("%s: HTTP %d (%v)", tc.reason, a.status, a.body)
			}
			if code, _ := a.errCode(); code != tc.wantCode {
				t.Errorf("%s: code %d, want %d", tc.reason, code, tc.wantCode)
			}
			if a.status != 200 {
				return
			}
			msgs := a.body["messages"].([]any)
			id := msgs[0].(map[string]any)["id"].(string)
			if !strings.HasPrefix(id, "wamid.") {
				t.Errorf("%s: want a wamid, got %q", tc.reason, id)
			}
			sent := e.sim.SentMessages(phoneID)
			if len(sent) != 1 || sent[0].ID != id {
				t.Errorf("%s: the message should be recorded, got %+v", tc.reason, sent)
			}
		})
	}
}

func TestUploadMedia(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{})
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("messaging_product", "whatsapp")
	_ = w.WriteField("type", "image/jpeg")
	part, _ := w.CreateFormFile("file", "cat.jpg")
	_, _ = part.Write([]byte("jpegbytes"))
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/v25.0/"+phoneID+"/media", &buf)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	var ans struct{ ID string }
	if err := json.Unmarshal(raw, &ans); err != nil || resp.StatusCode != 200 || ans.ID == "" {
		t.Fatalf("upload answers {id}, got %d %s", resp.StatusCode, raw)
	}
	if m, ok := e.sim.Media(ans.ID); !ok || m.MIMEType != "image/jpeg" || m.Filename != "cat.jpg" || m.Size != 9 {
		t.Errorf("media record %+v", m)
	}
}

func TestRegisterAndProfile(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{})
	_, _ = e.sim.AddPhoneNumber(wabaID, graphsim.PhoneNumber{ID: "777", DisplayPhoneNumber: "+1 202-555-0777", PlatformType: "NOT_APPLICABLE"})
	if a := e.call(t, http.MethodPost, "/v25.0/777/register", token, map[string]string{"messaging_product": "whatsapp", "pin": "12345"}); a.status != 400 {
		t.Errorf("a 5-digit PIN is refused, got %d", a.status)
	}
	if a := e.call(t, http.MethodPost, "/v25.0/777/register", token, map[string]string{"messaging_product": "whatsapp", "pin": "123456"}); a.status != 200 {
		t.Fatalf("register: %v", a.body)
	}
	if a := e.call(t, http.MethodGet, "/v25.0/777", token, nil); a.body["platform_type"] != "CLOUD_API" {
		t.Errorf("a registered number is on CLOUD_API, got %v", a.body["platform_type"])
	}
	profilePath := "/v25.0/" + phoneID + "/whatsapp_business_profile"
	if a := e.call(t, http.MethodPost, profilePath, token, map[string]any{"messaging_product": "whatsapp", "about": strings.Repeat("x", 140)}); a.status != 400 {
		t.Errorf("about is at most 139 characters, got %d", a.status)
	}
	if a := e.call(t, http.MethodPost, profilePath, token, map[string]any{"messaging_product": "whatsapp", "about": "Hi", "vertical": "RETAIL", "websites": []string{"https://a.example"}}); a.status != 200 {
		t.Fatalf("profile update: %v", a.body)
	}
	a := e.call(t, http.MethodGet, profilePath, token, nil)
	data := a.body["data"].([]any)[0].(map[string]any)
	if data["about"] != "Hi" || data["vertical"] != "RETAIL" || data["messaging_product"] != "whatsapp" {
		t.Errorf("profile read back: %v", data)
	}
}
