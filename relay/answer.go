package relay

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// Headers the relay adds to its answers.
const (
	// HeaderFallback names the template a message was sent through
	// because the 24-hour window was closed.
	HeaderFallback = "X-WhatsApp-Relay-Fallback"
	// HeaderDelivered lists, on an error answer, the wamids of the parts
	// Meta accepted before the failure (comma-separated, in order).
	HeaderDelivered = "X-WhatsApp-Relay-Delivered"
)

// reply is what the relay answers a chatbot.
type reply struct {
	status  int
	body    []byte
	header  map[string]string
	outcome string
}

// sendAnswer is Meta's answer to a send.
type sendAnswer struct {
	MessagingProduct string            `json:"messaging_product"`
	Contacts         []json.RawMessage `json:"contacts,omitempty"`
	Messages         []json.RawMessage `json:"messages"`
}

// mergeAnswers joins Meta's answers to the parts of one request into one:
// the first answer's contacts and every part's messages, in order. A
// single answer is passed on as received.
func mergeAnswers(answers [][]byte) []byte {
	if len(answers) == 1 {
		return answers[0]
	}
	out := sendAnswer{MessagingProduct: "whatsapp", Messages: []json.RawMessage{}}
	for _, a := range answers {
		var one sendAnswer
		_ = json.Unmarshal(a, &one)
		if out.Contacts == nil {
			out.Contacts = one.Contacts
		}
		out.Messages = append(out.Messages, one.Messages...)
	}
	return mustMarshal(out)
}

// wamids lists the message ids of answers, in order.
func wamids(answers [][]byte) []string {
	var out []string
	for _, a := range answers {
		var one struct {
			Messages []struct {
				ID string `json:"id"`
			} `json:"messages"`
		}
		_ = json.Unmarshal(a, &one)
		for _, m := range one.Messages {
			out = append(out, m.ID)
		}
	}
	return out
}

// failure turns a send error into the chatbot's answer. delivered are
// Meta's answers to the parts sent before it.
func failure(err error, delivered [][]byte, queueWait string) reply {
	r := failureReply(err, queueWait)
	if ids := wamids(delivered); len(ids) > 0 {
		r.header = map[string]string{HeaderDelivered: strings.Join(ids, ",")}
	}
	return r
}

func failureReply(err error, queueWait string) reply {
	var me *graph.Error
	var le *graph.LimitError
	var unknown *outcomeUnknownError
	var notSent *notSentError
	switch {
	case errors.As(err, &me) && me.FromMeta:
		return reply{status: me.HTTPStatus, body: me.Body, outcome: outcomeMetaError}
	case errors.As(err, &me):
		return errorReply(&metaError{status: http.StatusBadGateway, code: codeServiceUnavailable, typ: typeOAuth,
			message: "(#2) Service temporarily unavailable",
			details: fmt.Sprintf("Meta answered HTTP %d without an error object; nothing was sent", me.HTTPStatus)}, outcomeUnavailable)
	case errors.As(err, &le):
		return errorReply(&metaError{status: http.StatusBadRequest, code: codeThroughput, typ: typeOAuth,
			message: "(#130429) Rate limit hit",
			details: "the message waited " + queueWait + " for its phone number's send budget (Meta's throughput, shared by the relay replicas) and was not sent; send it again later or send less at once"}, outcomeRateLimited)
	case errors.As(err, &unknown):
		return errorReply(&metaError{status: http.StatusGatewayTimeout, code: codeSomethingWrong, typ: typeOAuth,
			message: "(#131000) Something went wrong: outcome unknown",
			details: "the request reached Meta but its answer was lost (" + truncate(unknown.cause.Error(), 200) + "); the message may have been delivered, so the relay did not send it again. Send it again only if a duplicate is acceptable"}, outcomeUnknown)
	case errors.As(err, &notSent):
		return errorReply(unavailable("Meta could not be reached ("+truncate(notSent.cause.Error(), 200)+"); nothing was sent, send it again"), outcomeUnavailable)
	case errors.Is(err, errNoToken):
		return errorReply(unavailable("no access token is loaded; nothing was sent"), outcomeUnavailable)
	case errors.Is(err, errClientGone):
		return errorReply(unavailable("the request was closed before it was sent"), outcomeClientGone)
	}
	return errorReply(unavailable("the message could not be sent: "+truncate(err.Error(), 200)), outcomeUnavailable)
}

// errorReply answers a metaError.
func errorReply(e *metaError, outcome string) reply {
	return reply{status: e.status, body: e.body(), outcome: outcome}
}

// withProblem adds the relay's explanation to Meta's error answer body,
// keeping Meta's code, status and fbtrace_id.
func withProblem(body []byte, problem string) []byte {
	var env map[string]map[string]any
	if json.Unmarshal(body, &env) != nil || env["error"] == nil {
		return body
	}
	e := env["error"]
	msg, _ := e["message"].(string)
	e["message"] = msg + " (no fallback: " + problem + ")"
	data, _ := e["error_data"].(map[string]any)
	if data == nil {
		data = map[string]any{"messaging_product": "whatsapp"}
	}
	data["details"] = detailsPrefix + "the 24-hour window is closed and the relay could not fall back to a template: " + problem
	e["error_data"] = data
	return mustMarshal(env)
}
