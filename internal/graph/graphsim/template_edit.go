package graphsim

import (
	"encoding/json"
	"time"
)

// Meta's edit budget for approved templates.
const (
	editDay          = 24 * time.Hour
	editMonth        = 30 * 24 * time.Hour
	editsPerDay      = 1
	editsPerMonth    = 10
	titleEditLimit   = "Template edit limit reached"
	msgEditLimit     = "Approved templates can be edited once per 24 hours and up to 10 times per 30 days."
	titleNotEditable = "Template can't be edited"
)

// editBody is the body of POST /{template-id}.
type editBody struct {
	Category        string          `json:"category"`
	Components      json.RawMessage `json:"components"`
	ParameterFormat string          `json:"parameter_format"`
}

// errEditLimit is the answer to an edit past an approved template's budget.
// Meta documents the rule, not a dedicated code: the simulator answers code
// 100 with a title naming the limit.
func errEditLimit() *metaError {
	return errInvalidParam("Invalid parameter", titleEditLimit, msgEditLimit)
}

// handleEditTemplate serves POST /{template-id}. Only APPROVED, REJECTED and
// PAUSED templates can be edited; an approved template's category cannot
// change and its edits are budgeted (1 per 24 h, 10 per 30 days). An edit
// sends the template back to review.
func (s *Server) handleEditTemplate(req *request) (any, *metaError) {
	t := s.templates[req.route.object]
	var body editBody
	if err := decodeBody(req, &body); err != nil {
		return nil, err
	}
	if body.Category == "" && len(body.Components) == 0 && body.ParameterFormat == "" {
		return nil, errInvalidParam("Invalid parameter", titleNotEditable, "Nothing to edit: send category or components.")
	}
	approved := t.Status == StatusApproved
	switch t.Status {
	case StatusApproved, StatusRejected, StatusPaused:
	default:
		return nil, errInvalidParam("Invalid parameter", titleNotEditable, "Only templates with status APPROVED, REJECTED or PAUSED can be edited.")
	}
	if approved && body.Category != "" && body.Category != t.Category {
		return nil, errInvalidParam("Invalid parameter", titleNotEditable, "The category of an approved template cannot be edited.")
	}
	now := s.now()
	if approved && !editAllowed(t.Edits, now) {
		return nil, errEditLimit()
	}
	category := t.Category
	if body.Category != "" {
		category = body.Category
	}
	if len(body.Components) > 0 {
		if merr := validateComponents(body.Components); merr != nil {
			return nil, merr
		}
		if merr := checkCategoryRules(category, body.Components); merr != nil {
			return nil, merr
		}
		if merr := s.checkMediaHeaderLocked(req.token.AppID, body.Components); merr != nil {
			return nil, merr
		}
		t.Components = presetAuthenticationText(category, body.Components)
	}
	if body.Category != "" {
		t.Category = body.Category
	}
	if approved {
		t.Edits = append(recentEdits(t.Edits, now), now)
	}
	t.Status, t.RejectedReason = StatusPending, ""
	s.scheduleReviewLocked(t)
	return success(), nil
}

// editAllowed applies the budget to the edit history.
func editAllowed(edits []time.Time, now time.Time) bool {
	recent := recentEdits(edits, now)
	inDay := 0
	for _, e := range recent {
		if now.Sub(e) < editDay {
			inDay++
		}
	}
	return inDay < editsPerDay && len(recent) < editsPerMonth
}

func recentEdits(edits []time.Time, now time.Time) []time.Time {
	var out []time.Time
	for _, e := range edits {
		if now.Sub(e) < editMonth {
			out = append(out, e)
		}
	}
	return out
}
