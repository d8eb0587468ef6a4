package relay

import (
	"context"
	"errors"

	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// deliver sends a planned request for sender s: the media link check, the
// recipient's lane, every part in order, and the fallback when the window
// is closed. It answers what the chatbot gets.
func (r *Relay) deliver(ctx context.Context, s senderInfo, version string, raw []byte, p *plan) reply {
	if p.link != "" {
		if merr := r.links.check(ctx, p.kind, p.link); merr != nil {
			return errorReply(merr, outcomeRefused)
		}
	}
	leave, err := r.lanes.enter(ctx, laneKey{phoneNumberID: s.PhoneNumberID, recipient: p.recipient})
	if err != nil {
		return failure(errClientGone, nil, "")
	}
	defer leave()
	if len(p.parts) > 1 {
		r.metrics.parts.Observe(float64(len(p.parts)))
	}
	var answers [][]byte
	for i, part := range p.parts {
		answer, err := r.sender.send(ctx, s, version, part)
		if err != nil {
			if graph.Classify(err) == graph.ClassWindowClosed && !isRelayError(err) {
				return r.fallback(ctx, s, version, raw, p, i, answers, err)
			}
			return failure(err, answers, r.opts.MaxQueueWait.String())
		}
		answers = append(answers, answer)
	}
	return reply{status: 200, body: mergeAnswers(answers), outcome: outcomeSent}
}

// fallback sends what part failed (and what follows it) through the
// new_bot_message template, in parts, after Meta answered 131047.
func (r *Relay) fallback(ctx context.Context, s senderInfo, version string, raw []byte, p *plan, failed int, sent [][]byte, windowErr error) reply {
	var me *graph.Error
	errors.As(windowErr, &me)
	text := p.remainingText(failed)
	if text == "" {
		r.metrics.fallbacks.WithLabelValues("no_text").Inc()
		return failure(windowErr, sent, "")
	}
	tmpl, problem := r.fallbackTemplate(ctx)
	if problem != "" {
		r.metrics.fallbacks.WithLabelValues("no_template").Inc()
		rep := failure(windowErr, sent, "")
		rep.body = withProblem(me.Body, problem)
		return rep
	}
	bodies := p.fallbackParts(raw, tmpl, text)
	if len(bodies) > 1 {
		r.metrics.parts.Observe(float64(len(bodies)))
	}
	answers := sent
	for _, b := range bodies {
		answer, err := r.sender.send(ctx, s, version, b)
		if err != nil {
			r.metrics.fallbacks.WithLabelValues("failed").Inc()
			return failure(err, answers, r.opts.MaxQueueWait.String())
		}
		answers = append(answers, answer)
	}
	r.metrics.fallbacks.WithLabelValues("sent").Inc()
	return reply{status: 200, body: mergeAnswers(answers), header: map[string]string{HeaderFallback: tmpl.Name}, outcome: outcomeFallback}
}

// isRelayError reports errors the relay made itself (never Meta's 131047).
func isRelayError(err error) bool {
	var me *graph.Error
	return !errors.As(err, &me) || !me.FromMeta
}
