package graphsim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// A user's phone reports what happens to the business's messages: with
// StatusWebhooks every accepted send causes "sent" then "delivered" at the
// messages callback, in that order, signed with the app secret, and the
// user reading it causes "read". Each delivery is an event, with the
// callback's answer, after the message's own event.
func TestStatusWebhooksFollowEverySend(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{StatusWebhooks: true})
	rcv, url := newReceiver(t)
	e.sim.AddApp(graphsim.App{ID: appID, Name: "Acme Bot App", Secret: secret, CallbackURL: url})
	e.call(t, http.MethodPost, wabaPath+"/subscribed_apps", token, nil)

	a := e.call(t, http.MethodPost, "/v25.0/"+phoneID+"/messages", token, map[string]any{
		"messaging_product": "whatsapp", "to": "4915112345678", "type": "text", "text": map[string]string{"body": "Hi"}})
	if a.status != 200 {
		t.Fatal(a.body)
	}
	id := a.body["messages"].([]any)[0].(map[string]any)["id"].(string)
	waitDeliveries(t, rcv, 2)
	if err := e.sim.ReadByUser(phoneID, id); err != nil {
		t.Fatal(err)
	}
	waitDeliveries(t, rcv, 3)

	rcv.mu.Lock()
	var statuses []string
	for i, b := range rcv.bodies {
		if !verify(secret, b, rcv.sigs[i]) {
			t.Errorf("status webhook %d is not signed with the app secret", i)
		}
		statuses = append(statuses, statusOf(t, b, id))
	}
	rcv.mu.Unlock()
	if diff := cmp.Diff([]string{"sent", "delivered", "read"}, statuses); diff != "" {
		t.Errorf("status webhooks in order (-want +got):\n%s", diff)
	}

	var kinds []string
	for _, ev := range eventsUntil(t, e.sim, 4) {
		kinds = append(kinds, ev.Kind+":"+ev.Status)
		if ev.MessageID != id || (ev.Kind == graphsim.EventStatus && ev.StatusCode != 200) {
			t.Errorf("event %+v is not about %s answered 200", ev, id)
		}
	}
	// The message first; "delivered" follows "sent" (Meta sends it once
	// "sent" was answered). "read" was caused after "delivered" reached the
	// callback, but its event may be recorded before "delivered"'s: each is
	// recorded when its answer is read.
	if diff := cmp.Diff([]string{"sent:", "status:delivered", "status:read", "status:sent"}, slices.Sorted(slices.Values(kinds))); diff != "" || kinds[0] != "sent:" ||
		slices.Index(kinds, "status:sent") > slices.Index(kinds, "status:delivered") {
		t.Errorf("events %q, want the message, then sent before delivered, and read (-want +got sorted):\n%s", kinds, diff)
	}
	if err := e.sim.ReadByUser(phoneID, "wamid.not-sent"); !errors.Is(err, graphsim.ErrNotFound) {
		t.Errorf("reading a message never sent: %v, want ErrNotFound", err)
	}
}

// Without StatusWebhooks a send causes no webhook: tests that count what a
// chatbot receives are not disturbed.
func TestNoStatusWebhooksByDefault(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{})
	rcv, url := newReceiver(t)
	e.sim.AddApp(graphsim.App{ID: appID, Name: "Acme Bot App", Secret: secret, CallbackURL: url})
	e.call(t, http.MethodPost, wabaPath+"/subscribed_apps", token, nil)
	e.call(t, http.MethodPost, "/v25.0/"+phoneID+"/messages", token, map[string]any{
		"messaging_product": "whatsapp", "to": "4915112345678", "type": "text", "text": map[string]string{"body": "Hi"}})
	e.sim.Close() // waits for deliveries in flight
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.bodies) != 0 {
		t.Errorf("a send caused %d webhooks", len(rcv.bodies))
	}
}

// A user writes through the control surface: Meta's webhook for the
// message reaches the messages callback (the subscription's override
// first), signed, and the answer comes back; an image is kept so it can be
// shown again; the business marking it read is an event. What a user
// could not send is refused with a reason.
func TestUserMessagesOverTheControlSurface(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{})
	rcv, url := newReceiver(t)
	e.sim.AddApp(graphsim.App{ID: appID, Name: "Acme Bot App", Secret: secret, CallbackURL: "http://127.0.0.1:1/not-this-one"})
	e.call(t, http.MethodPost, wabaPath+"/subscribed_apps", token, map[string]string{"override_callback_uri": url, "verify_token": "good"})

	pic := pngBytes(t)
	res := postJSON(t, e.srv.URL+"/_sim/phone_numbers/"+phoneID+"/messages", map[string]any{
		"from": "4915112345678", "name": "Jana", "type": "image", "text": "my receipt",
		"image_mime_type": "image/png", "image_data": pic}, http.StatusOK)
	if res["status_code"] != float64(200) || res["message_id"] == "" {
		t.Fatalf("the user's image: %v", res)
	}
	waitDeliveries(t, rcv, 1)
	rcv.mu.Lock()
	body, sig := rcv.bodies[0], rcv.sigs[0]
	rcv.mu.Unlock()
	if !verify(secret, body, sig) {
		t.Error("the user's message is not signed with the app secret")
	}
	var got struct {
		Entry []struct {
			Changes []struct {
				Value struct {
					Messages []struct {
						ID, From, Type string
						Image          struct {
							ID, Caption string
							MIMEType    string `json:"mime_type"`
						}
					}
				}
			}
		}
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	m := got.Entry[0].Changes[0].Value.Messages[0]
	if m.ID != res["message_id"] || m.From != "4915112345678" || m.Type != "image" || m.Image.Caption != "my receipt" || m.Image.MIMEType != "image/png" {
		t.Errorf("the webhook carries %+v", m)
	}
	resp, err := http.Get(e.srv.URL + "/_sim/media/" + m.Image.ID)
	if err != nil {
		t.Fatal(err)
	}
	kept, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(kept, pic) {
		t.Errorf("the image kept: %s, %d bytes, want image/png, %d", resp.Header.Get("Content-Type"), len(kept), len(pic))
	}

	a := e.call(t, http.MethodPost, "/v25.0/"+phoneID+"/messages", token, map[string]any{
		"messaging_product": "whatsapp", "status": "read", "message_id": m.ID})
	if a.status != 200 {
		t.Fatal(a.body)
	}
	evs := e.sim.Events(context.Background(), 0, time.Second)
	if len(evs) != 1 || evs[0].Kind != graphsim.EventReadByBusiness || evs[0].MessageID != m.ID {
		t.Errorf("events after the business read it: %+v", evs)
	}

	for name, bad := range map[string]map[string]any{
		"from is not a wa_id":   {"from": "+49 151", "type": "text", "text": "x"},
		"empty text":            {"from": "4915112345678", "type": "text"},
		"unknown type":          {"from": "4915112345678", "type": "sticker"},
		"image that is not one": {"from": "4915112345678", "type": "image", "image_mime_type": "image/png", "image_data": []byte("<html>")},
		"button without id":     {"from": "4915112345678", "type": "button_reply", "title": "Yes"},
	} {
		if res := postJSON(t, e.srv.URL+"/_sim/phone_numbers/"+phoneID+"/messages", bad, http.StatusBadRequest); res["error"] == "" {
			t.Errorf("%s: refused without a reason", name)
		}
	}
	postJSON(t, e.srv.URL+"/_sim/phone_numbers/999/messages", map[string]any{"from": "1", "type": "text", "text": "x"}, http.StatusNotFound)
}

// A reader of GET /_sim/events waits for the next event instead of polling.
func TestEventsLongPoll(t *testing.T) {
	e := newSimEnv(t, graphsim.Options{})
	got := make(chan []graphsim.Event, 1)
	go func() { got <- e.sim.Events(context.Background(), 0, 10*time.Second) }()
	e.call(t, http.MethodPost, "/v25.0/"+phoneID+"/messages", token, map[string]any{
		"messaging_product": "whatsapp", "to": "4915112345678", "type": "text", "text": map[string]string{"body": "Hi"}})
	select {
	case evs := <-got:
		if len(evs) != 1 || evs[0].Kind != graphsim.EventSent || evs[0].Seq != 1 {
			t.Errorf("the waiting reader got %+v", evs)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting reader was not woken by the send")
	}
	res := getJSON(t, e.srv.URL+"/_sim/events?after=1&wait=10ms")
	if evs, _ := res["events"].([]any); len(evs) != 0 {
		t.Errorf("events after the last one: %v", res)
	}
}

func waitDeliveries(t *testing.T, r *receiver, n int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		have := len(r.bodies)
		r.mu.Unlock()
		if have >= n {
			return
		}
		select {
		case <-r.got:
		case <-deadline:
			t.Fatalf("the callback got %d webhooks, want %d", have, n)
		}
	}
}

// eventsUntil returns the simulator's events once there are n: a
// delivery's event follows the callback's answer, which the receiver has
// seen before the simulator has read it.
func eventsUntil(t *testing.T, sim *graphsim.Server, n int) []graphsim.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var out []graphsim.Event
	for len(out) < n {
		var after int64
		if len(out) > 0 {
			after = out[len(out)-1].Seq
		}
		more := sim.Events(ctx, after, 10*time.Second)
		if len(more) == 0 {
			t.Fatalf("the simulator has %d events, want %d: %+v", len(out), n, out)
		}
		out = append(out, more...)
	}
	return out
}

// statusOf returns the status a status webhook carries for message id.
func statusOf(t *testing.T, body []byte, id string) string {
	t.Helper()
	var w struct {
		Entry []struct {
			Changes []struct {
				Value struct {
					Statuses []struct{ ID, Status string }
				}
			}
		}
	}
	if err := json.Unmarshal(body, &w); err != nil || len(w.Entry) == 0 || len(w.Entry[0].Changes[0].Value.Statuses) == 0 {
		t.Fatalf("not a status webhook: %s", body)
	}
	st := w.Entry[0].Changes[0].Value.Statuses[0]
	if st.ID != id {
		t.Errorf("status for %s, want %s", st.ID, id)
	}
	return st.Status
}

func postJSON(t *testing.T, url string, body any, want int) map[string]any {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	if resp.StatusCode != want {
		t.Fatalf("POST %s: %d %v, want %d", url, resp.StatusCode, m, want)
	}
	return m
}

func getJSON(t *testing.T, url string) map[string]any {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return m
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 37, G: 211, B: 102, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
