package graphsim_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

func TestControlHTTP(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{})
	tpl, _ := e.sim.AddTemplate(wabaID, graphsim.Template{Name: "x", Language: "en", Category: "UTILITY", Status: "PENDING"})
	post := func(path, body string) int {
		resp, err := http.Post(e.srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	cases := []struct {
		name, reason, path, body string
		wantStatus               int
		check                    func() bool
	}{
		{name: "Approve", reason: "a template can be approved over HTTP", path: "/_sim/templates/" + tpl.ID + "/status", body: `{"status":"APPROVED"}`, wantStatus: 200,
			check: func() bool { t, _ := e.sim.Template(tpl.ID); return t.Status == "APPROVED" }},
		{name: "UnknownTemplate", reason: "an unknown id is 404", path: "/_sim/templates/1/status", body: `{"status":"APPROVED"}`, wantStatus: 404},
		{name: "Quality", reason: "quality rating", path: "/_sim/phone_numbers/" + phoneID + "/quality", body: `{"quality_rating":"YELLOW"}`, wantStatus: 200,
			check: func() bool { return e.sim.PhoneNumbers(wabaID)[0].QualityRating == "YELLOW" }},
		{name: "Window", reason: "closing a window", path: "/_sim/phone_numbers/" + phoneID + "/windows", body: `{"recipient":"1","closed":true}`, wantStatus: 200,
			check: func() bool { return e.call(t, http.MethodPost, messagesPath, token, textTo("1")).status == 400 }},
		{name: "Fault", reason: "a fault with a duration string", path: "/_sim/faults", body: `{"kind":"slow","delay":"1ms","times":1}`, wantStatus: 200},
		{name: "BadFault", reason: "a bad duration is refused", path: "/_sim/faults", body: `{"kind":"slow","delay":"soon"}`, wantStatus: 400},
		{name: "Review", reason: "review policy", path: "/_sim/review", body: `{"delay":"0s","status":"APPROVED"}`, wantStatus: 200,
			check: func() bool {
				id := e.call(t, http.MethodPost, templatesPath, token, createBody("y", "en")).body["id"].(string)
				tpl, _ := e.sim.Template(id)
				return tpl.Status == "APPROVED"
			}},
		{name: "Revoke", reason: "token revocation", path: "/_sim/tokens/revoke", body: `{"token":"` + token + `"}`, wantStatus: 200,
			check: func() bool { return e.call(t, http.MethodGet, wabaPath, token, nil).status == 401 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := post(tc.path, tc.body); got != tc.wantStatus {
				t.Fatalf("%s: HTTP %d, want %d", tc.reason, got, tc.wantStatus)
			}
			if tc.check != nil && !tc.check() {
				t.Errorf("%s: effect not visible", tc.reason)
			}
		})
	}

	resp, err := http.Get(e.srv.URL + "/_sim/state")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var st graphsim.State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || len(st.WABAs) != 1 || len(st.WABAs[0].Templates) != 2 {
		t.Fatalf("state snapshot: %+v %v", st, err)
	}
	raw, _ := json.Marshal(st)
	if strings.Contains(string(raw), token) || strings.Contains(string(raw), secret) {
		t.Errorf("the state snapshot never carries tokens or secrets")
	}
}

func TestSeedFile(t *testing.T) {
	sim := graphsim.New(graphsim.Options{})
	defer sim.Close()
	err := sim.Apply(graphsim.SeedFile{
		Apps:   []graphsim.App{{ID: "1", Name: "a", Secret: "s"}},
		WABAs:  []graphsim.SeedWABA{{WABA: graphsim.WABA{ID: "10", Name: "w"}, PhoneNumbers: []graphsim.PhoneNumber{{ID: "20", DisplayPhoneNumber: "+1 202-555-0100"}}, Templates: []graphsim.Template{{Name: "new_bot_message", Language: "en", Category: "UTILITY"}}}},
		Tokens: []graphsim.Token{{Value: "t", AppID: "1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sim.PhoneNumbers("10")) != 1 || len(sim.Templates("10")) != 1 {
		t.Errorf("the seed file fills the WABA")
	}
}
