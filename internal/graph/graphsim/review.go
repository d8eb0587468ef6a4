package graphsim

import "time"

// pendingReview is a scheduled automatic decision on a template.
type pendingReview struct {
	due     time.Time
	outcome Review
}

// reviewTimerSlack lets a timer fire just after the decision is due.
const reviewTimerSlack = 10 * time.Millisecond

// SetTemplateReview sets how new and edited templates are decided: after
// delay, with outcome. An empty outcome.Status means manual review
// (templates stay PENDING until SetTemplateStatus). Templates already
// pending keep their schedule.
func (s *Server) SetTemplateReview(delay time.Duration, outcome Review) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay, s.review = delay, outcome
}

// SetTemplateStatus sets a template's status (APPROVED, REJECTED with a
// reason such as INVALID_FORMAT, PAUSED, DISABLED, ...), cancelling any
// scheduled review, and sends the status webhook to subscribed apps'
// callbacks.
func (s *Server) SetTemplateStatus(templateID, status, reason string) error {
	s.mu.Lock()
	t, ok := s.templates[templateID]
	if !ok {
		s.mu.Unlock()
		return errNoTemplate(templateID)
	}
	delete(s.reviews, templateID)
	s.setStatusLocked(t, status, reason)
	s.mu.Unlock()
	s.flushOutbox()
	return nil
}

// SetTemplateQuality sets a template's quality score (GREEN, YELLOW, RED).
func (s *Server) SetTemplateQuality(templateID, score string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.templates[templateID]
	if !ok {
		return errNoTemplate(templateID)
	}
	t.QualityScore = score
	return nil
}

// scheduleReviewLocked schedules the automatic decision for t, if any.
func (s *Server) scheduleReviewLocked(t *Template) {
	if s.review.Status == "" {
		return
	}
	s.reviews[t.ID] = pendingReview{due: s.now().Add(s.delay), outcome: s.review}
	if s.delay > 0 && !s.closed {
		s.timers = append(s.timers, time.AfterFunc(s.delay+reviewTimerSlack, s.settleAndFlush))
	}
}

// settleAndFlush applies due reviews and delivers their webhooks.
func (s *Server) settleAndFlush() {
	s.mu.Lock()
	s.settleLocked()
	s.mu.Unlock()
	s.flushOutbox()
}

// settleLocked applies every review that is due by the clock.
func (s *Server) settleLocked() {
	now := s.now()
	for id, pr := range s.reviews {
		if now.Before(pr.due) {
			continue
		}
		delete(s.reviews, id)
		if t, ok := s.templates[id]; ok && t.Status == StatusPending {
			s.setStatusLocked(t, pr.outcome.Status, pr.outcome.Reason)
		}
	}
}

// setStatusLocked changes a template's status and queues its webhook.
func (s *Server) setStatusLocked(t *Template, status, reason string) {
	t.Status = status
	t.RejectedReason = ""
	if status == StatusRejected {
		t.RejectedReason = reason
	}
	s.queueAppWebhooksLocked(t.WABAID, fieldTemplateStatus, TemplateStatusWebhook(TemplateEvent{
		WABAID: t.WABAID, TemplateID: t.ID, Name: t.Name, Language: t.Language,
		Event: status, Reason: reason, Category: t.Category, Time: s.now(),
	}))
}
