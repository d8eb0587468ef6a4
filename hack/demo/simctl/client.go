// Package simctl is a client of the Graph API simulator's control surface
// (graphsim's /_sim/ prefix) for the demo: it acts as Meta's dashboard and
// as a WhatsApp user's phone against a simulator running as its own
// process.
package simctl

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// maxAnswer bounds what is read of an answer (media included).
const maxAnswer = 16 << 20

// Client talks to one simulator.
type Client struct {
	base string
	http *http.Client
}

// New returns a client of the simulator at baseURL (http://127.0.0.1:port).
func New(baseURL string) *Client {
	return &Client{base: strings.TrimSuffix(baseURL, "/"), http: &http.Client{Timeout: 40 * time.Second}}
}

// URL is the simulator's base URL, the operator's --graph-api-url.
func (c *Client) URL() string { return c.base }

// Error is an answer of the control surface other than 200.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("the simulator answered %d: %s", e.Status, e.Message)
}

// do sends body (JSON, when not nil) and decodes a 200 answer into out.
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		_ = json.Unmarshal(raw, &e)
		if e.Error == "" {
			e.Error = string(raw)
		}
		return &Error{Status: resp.StatusCode, Message: e.Error}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}

// Ping reports whether the simulator answers.
func (c *Client) Ping(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/_sim/calls", nil, nil)
}

// State is the simulator's snapshot (no secrets).
func (c *Client) State(ctx context.Context) (graphsim.State, error) {
	var st graphsim.State
	return st, c.do(ctx, http.MethodGet, "/_sim/state", nil, &st)
}

// SetTemplateStatus decides a template as Meta's review does.
func (c *Client) SetTemplateStatus(ctx context.Context, templateID, status, reason string) error {
	return c.do(ctx, http.MethodPost, "/_sim/templates/"+url.PathEscape(templateID)+"/status",
		map[string]string{"status": status, "reason": reason}, nil)
}

// SetWindow closes or reopens the 24-hour window between a number and a
// user (recipient "" for every user).
func (c *Client) SetWindow(ctx context.Context, phoneNumberID, recipient string, closed bool) error {
	return c.do(ctx, http.MethodPost, "/_sim/phone_numbers/"+url.PathEscape(phoneNumberID)+"/windows",
		map[string]any{"recipient": recipient, "closed": closed}, nil)
}

// SetQuality sets a number's quality rating (GREEN, YELLOW, RED).
func (c *Client) SetQuality(ctx context.Context, phoneNumberID, rating string) error {
	return c.do(ctx, http.MethodPost, "/_sim/phone_numbers/"+url.PathEscape(phoneNumberID)+"/quality",
		map[string]string{"quality_rating": rating}, nil)
}

// InjectFault adds a fault (graphsim.Fault; its Delay is not sent).
func (c *Client) InjectFault(ctx context.Context, f graphsim.Fault) error {
	f.Delay = 0
	return c.do(ctx, http.MethodPost, "/_sim/faults", f, nil)
}

// ClearFaults removes every fault.
func (c *Client) ClearFaults(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/_sim/faults", nil, nil)
}

// Calls returns the simulator's call counts per endpoint and in total.
func (c *Client) Calls(ctx context.Context) (map[string]int, int, error) {
	var out struct {
		Calls map[string]int `json:"calls"`
		Total int            `json:"total"`
	}
	err := c.do(ctx, http.MethodGet, "/_sim/calls", nil, &out)
	return out.Calls, out.Total, err
}

// SendFromUser acts as a WhatsApp user writing to phoneNumberID.
func (c *Client) SendFromUser(ctx context.Context, phoneNumberID string, m graphsim.UserMessage) (graphsim.UserMessageResult, error) {
	var res graphsim.UserMessageResult
	err := c.do(ctx, http.MethodPost, "/_sim/phone_numbers/"+url.PathEscape(phoneNumberID)+"/messages", m, &res)
	return res, err
}

// ReadByUser acts as the user's phone showing message messageID.
func (c *Client) ReadByUser(ctx context.Context, phoneNumberID, messageID string) error {
	return c.do(ctx, http.MethodPost, "/_sim/phone_numbers/"+url.PathEscape(phoneNumberID)+"/statuses",
		map[string]string{"message_id": messageID, "status": graphsim.MessageRead}, nil)
}

// Events returns the events after seq, waiting up to wait for one.
func (c *Client) Events(ctx context.Context, after int64, wait time.Duration) ([]graphsim.Event, error) {
	var out struct {
		Events []graphsim.Event `json:"events"`
	}
	q := url.Values{"after": {strconv.FormatInt(after, 10)}, "wait": {wait.String()}}
	return out.Events, c.do(ctx, http.MethodGet, "/_sim/events?"+q.Encode(), nil, &out)
}

// Media returns the bytes and MIME type of media the simulator kept.
func (c *Client) Media(ctx context.Context, id string) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/_sim/media/"+url.PathEscape(id), nil)
	if err != nil {
		return nil, "", err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, "", err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, "", &Error{Status: resp.StatusCode, Message: string(data)}
	}
	return data, resp.Header.Get("Content-Type"), nil
}
