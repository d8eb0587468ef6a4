package graphsim

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	maxBodyText          = 1024
	nameLockWindow       = 30 * 24 * time.Hour
	parameterPositional  = "POSITIONAL"
	parameterNamed       = "NAMED"
	rejectedReasonNone   = "NONE"
	titleExists          = "Content in This Language Already Exists"
	titleNameLocked      = "Message template language is being deleted"
	titleNotFound        = "Message Template Not Found"
	titleInvalidCategory = "Invalid category"
)

var (
	templateName = regexp.MustCompile(`^[a-z0-9_]{1,512}$`)
	categories   = []string{"UTILITY", "MARKETING", "AUTHENTICATION"}
)

// templateJSON renders a template as Meta's REST API does.
func templateJSON(t *Template) map[string]any {
	format := t.ParameterFormat
	if format == "" {
		format = parameterPositional
	}
	reason := t.RejectedReason
	if reason == "" {
		reason = rejectedReasonNone
	}
	out := map[string]any{
		"id": t.ID, "name": t.Name, "language": t.Language, "status": t.Status,
		"category": t.Category, "parameter_format": format, "rejected_reason": reason,
		"components":    t.Components,
		"quality_score": map[string]any{"score": t.QualityScore},
	}
	if t.PreviousCategory != "" {
		out["previous_category"] = t.PreviousCategory
	}
	return out
}

// sortedTemplatesLocked returns the WABA's templates in creation order.
func (s *Server) sortedTemplatesLocked(waba string) []*Template {
	var out []*Template
	for _, t := range s.templates {
		if t.WABAID == waba {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return idLess(out[i].ID, out[j].ID) })
	return out
}

func idLess(a, b string) bool {
	x, errA := strconv.ParseInt(a, 10, 64)
	y, errB := strconv.ParseInt(b, 10, 64)
	if errA != nil || errB != nil {
		return a < b
	}
	return x < y
}

func (s *Server) findTemplateLocked(waba, name, language string) *Template {
	for _, t := range s.templates {
		if t.WABAID == waba && t.Name == name && t.Language == language {
			return t
		}
	}
	return nil
}

// handleListTemplates serves GET /{waba-id}/message_templates with Meta's
// filters: name (substring, case-insensitive), status, category and
// language (comma lists).
func (s *Server) handleListTemplates(req *request) (any, *metaError) {
	q := req.r.URL.Query()
	name := strings.ToLower(q.Get("name"))
	in := func(param, v string) bool {
		list := q.Get(param)
		return list == "" || slices.Contains(strings.Split(list, ","), v)
	}
	var items []any
	for _, t := range s.sortedTemplatesLocked(req.route.waba) {
		if strings.Contains(t.Name, name) && in("status", t.Status) && in("category", t.Category) && in("language", t.Language) {
			items = append(items, templateJSON(t))
		}
	}
	return pageLocked(req.r, items)
}

// handleGetTemplate serves GET /{template-id}.
func (s *Server) handleGetTemplate(req *request) (any, *metaError) {
	return templateJSON(s.templates[req.route.object]), nil
}

// createBody is the body of POST /{waba-id}/message_templates.
type createBody struct {
	Name            string          `json:"name"`
	Language        string          `json:"language"`
	Category        string          `json:"category"`
	ParameterFormat string          `json:"parameter_format"`
	Components      json.RawMessage `json:"components"`
}

// handleCreateTemplate serves POST /{waba-id}/message_templates: it
// validates, refuses a duplicate name+language (100/2388024) or a name
// deleted within 30 days (100/2388023), and stores the template PENDING.
func (s *Server) handleCreateTemplate(req *request) (any, *metaError) {
	var body createBody
	if err := decodeBody(req, &body); err != nil {
		return nil, err
	}
	if merr := validateTemplate(body); merr != nil {
		return nil, merr
	}
	if merr := s.checkMediaHeaderLocked(req.token.AppID, body.Components); merr != nil {
		return nil, merr
	}
	waba := req.route.waba
	if s.findTemplateLocked(waba, body.Name, body.Language) != nil {
		return nil, errInvalidParam("Invalid parameter", titleExists,
			fmt.Sprintf("There is already %s content for this template. You can create a new template and try again.", body.Language)).withSubcode(SubcodeTemplateExists)
	}
	if s.nameLockedLocked(waba, body.Name, body.Language) {
		return nil, errInvalidParam("Invalid parameter", titleNameLocked,
			fmt.Sprintf("New %s content can't be added while the existing %s content is being deleted. Try again in 4 weeks or consider creating a new message template.", body.Language, body.Language)).withSubcode(SubcodeTemplateNameLocked)
	}
	t := &Template{
		ID: s.newIDLocked(kindTemplate), WABAID: waba, Name: body.Name, Language: body.Language,
		Category: body.Category, Status: StatusPending, QualityScore: defaultTemplateQuality,
		ParameterFormat: body.ParameterFormat, Components: presetAuthenticationText(body.Category, body.Components),
	}
	s.templates[t.ID] = t
	w := s.wabas[waba]
	w.createTimes = append(prune(w.createTimes, s.now()), s.now())
	s.scheduleReviewLocked(t)
	return map[string]string{"id": t.ID, "status": t.Status, "category": t.Category}, nil
}

// validateTemplate checks what Meta checks at creation with code 100.
func validateTemplate(b createBody) *metaError {
	switch {
	case !templateName.MatchString(b.Name):
		return errInvalidParam("Invalid parameter", "Invalid template name",
			"Template names may contain only lowercase letters, digits and underscores, at most 512 characters.")
	case b.Language == "":
		return errParamRequired("language")
	case !slices.Contains(categories, b.Category):
		return errInvalidParam("Invalid parameter", titleInvalidCategory, "Category must be UTILITY, MARKETING or AUTHENTICATION.")
	case b.ParameterFormat != "" && b.ParameterFormat != parameterPositional && b.ParameterFormat != "NAMED":
		return errInvalidParam("Invalid parameter", "Invalid parameter format", "parameter_format must be POSITIONAL or NAMED.")
	}
	if merr := validateComponents(b.Components); merr != nil {
		return merr
	}
	return checkCategoryRules(b.Category, b.Components)
}

// validateComponents requires exactly one BODY of at most 1024 characters.
func validateComponents(raw json.RawMessage) *metaError {
	var comps []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &comps); err != nil {
		return errParamRequired("components")
	}
	bodies := 0
	for _, c := range comps {
		if strings.EqualFold(c.Type, "BODY") {
			bodies++
			if len([]rune(c.Text)) > maxBodyText {
				return errInvalidParam("Invalid parameter", "Body too long", "The body text may be at most 1024 characters.")
			}
		}
	}
	if bodies != 1 {
		return errInvalidParam("Invalid parameter", "Missing body", "A template needs exactly one BODY component.")
	}
	return nil
}

// nameLockedLocked reports a name+language deleted while approved within
// the last 30 days.
func (s *Server) nameLockedLocked(waba, name, language string) bool {
	w := s.wabas[waba]
	now := s.now()
	for _, ts := range w.tombstones {
		if ts.name == name && ts.language == language && now.Sub(ts.at) < nameLockWindow {
			return true
		}
	}
	return false
}

// handleDeleteTemplate serves DELETE /{waba-id}/message_templates: by name
// (every language of it) or by name and hsm_id (that template only).
func (s *Server) handleDeleteTemplate(req *request) (any, *metaError) {
	q := req.r.URL.Query()
	name, hsmID := q.Get("name"), q.Get("hsm_id")
	if name == "" {
		return nil, errParamRequired("name")
	}
	var victims []*Template
	for _, t := range s.sortedTemplatesLocked(req.route.waba) {
		if t.Name == name && (hsmID == "" || t.ID == hsmID) {
			victims = append(victims, t)
		}
	}
	if len(victims) == 0 {
		// Meta's "object does not exist" shape: code 100, subcode 33.
		return nil, errInvalidParam("Invalid parameter", titleNotFound, "The message template you're trying to delete doesn't exist.").withSubcode(SubcodeObjectMissing)
	}
	w := s.wabas[req.route.waba]
	for _, t := range victims {
		if t.Status == StatusDisabled {
			return nil, errInvalidParam("Invalid parameter", "Template is disabled", "Templates that are disabled cannot be deleted.")
		}
	}
	for _, t := range victims {
		if t.Status == StatusApproved {
			w.tombstones = append(w.tombstones, tombstone{name: t.Name, language: t.Language, at: s.now()})
		}
		delete(s.templates, t.ID)
		delete(s.reviews, t.ID)
	}
	return success(), nil
}

func (e *metaError) withSubcode(sub int) *metaError {
	e.Subcode = sub
	return e
}
