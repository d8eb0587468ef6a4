package graphsim_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

func TestThroughputCountsAndEnforces(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{MessagesPerSecond: 3})
	codes := []int{}
	for range 5 {
		a := e.call(t, "POST", messagesPath, token, textTo("16505551234"))
		code, _ := a.errCode()
		codes = append(codes, code)
	}
	if want := []int{0, 0, 0, 130429, 130429}; !equalInts(codes, want) {
		t.Errorf("a 3/s number: codes %v, want %v (130429 past the rate)", codes, want)
	}
	e.clock.Advance(time.Second)
	if a := e.call(t, "POST", messagesPath, token, textTo("16505551234")); a.status != 200 {
		t.Errorf("the next second accepts again: %d", a.status)
	}
	if got := e.sim.MaxSendsInASecond(phoneID); got != 3 {
		t.Errorf("most sends in one second = %d, want 3 (refused sends are not counted)", got)
	}
	if got := e.sim.SendsPerSecond(phoneID); len(got) != 2 {
		t.Errorf("sends per second %v, want two seconds counted", got)
	}
}

func TestTemplateSendParameters(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{})
	named, _ := json.Marshal([]map[string]any{{"type": "BODY", "text": "New message: {{bot_message}}"}})
	positional, _ := json.Marshal([]map[string]any{{"type": "BODY", "text": "New message: {{1}}"}})
	if _, err := e.sim.AddTemplate(wabaID, graphsim.Template{Name: "new_bot_message", Language: "en", Category: "UTILITY",
		Status: graphsim.StatusApproved, ParameterFormat: "NAMED", Components: named}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sim.AddTemplate(wabaID, graphsim.Template{Name: "new_bot_message", Language: "de", Category: "UTILITY",
		Status: graphsim.StatusApproved, Components: positional}); err != nil {
		t.Fatal(err)
	}
	send := func(lang string, params ...map[string]string) int {
		body := templateTo("16505551234", "new_bot_message", lang)
		ps := []any{}
		for _, p := range params {
			ps = append(ps, p)
		}
		body["template"].(map[string]any)["components"] = []any{map[string]any{"type": "body", "parameters": ps}}
		code, _ := e.call(t, "POST", messagesPath, token, body).errCode()
		return code
	}
	cases := map[string]struct {
		reason string
		code   int
		want   int
	}{
		"NamedOK":         {reason: "the named variable by name", code: send("en", map[string]string{"type": "text", "parameter_name": "bot_message", "text": "hi"}), want: 0},
		"NamedWrongName":  {reason: "another name is 132012", code: send("en", map[string]string{"type": "text", "parameter_name": "msg", "text": "hi"}), want: 132012},
		"NamedMissing":    {reason: "no parameter is 132000", code: send("en"), want: 132000},
		"PositionalOK":    {reason: "one positional parameter", code: send("de", map[string]string{"type": "text", "text": "hi"}), want: 0},
		"PositionalTwice": {reason: "two parameters for one variable is 132000", code: send("de", map[string]string{"type": "text", "text": "a"}, map[string]string{"type": "text", "text": "b"}), want: 132000},
	}
	for name, tc := range cases {
		if tc.code != tc.want {
			t.Errorf("%s: %s: got code %d, want %d", name, tc.reason, tc.code, tc.want)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
