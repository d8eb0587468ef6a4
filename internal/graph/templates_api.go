package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

const (
	errDeleteNeedsID    = "a template is deleted by name and hsm_id; by name alone Meta deletes every language"
	errDeleteNeedsName  = "a template delete needs the template name"
	errCreateIncomplete = "a template needs a name, a language and a category"
)

// ListTemplates returns every template of the WABA matching f, following
// pages (GET /{waba-id}/message_templates).
func (c *Client) ListTemplates(ctx context.Context, wabaID string, f TemplateFilter) ([]Template, error) {
	if err := checkIDs(EndpointListTemplates, wabaID); err != nil {
		return nil, err
	}
	q := url.Values{"fields": {templateFields}}
	if f.Name != "" {
		q.Set("name", f.Name)
	}
	if f.Status != "" {
		q.Set("status", f.Status)
	}
	list, err := listAll[Template](ctx, c, call{
		endpoint:   EndpointListTemplates,
		method:     http.MethodGet,
		path:       []string{wabaID, "message_templates"},
		query:      q,
		waba:       wabaID,
		idempotent: true,
	})
	if err != nil {
		return nil, err
	}
	for _, t := range list {
		c.shared.learnObject(t.ID, wabaID, t.Status)
	}
	return list, nil
}

// FindTemplate returns the template with exactly this name and language, or
// (nil, nil) when there is none. Meta's name filter matches substrings and a
// name exists once per language, so both are compared here.
func (c *Client) FindTemplate(ctx context.Context, wabaID, name, language string) (*Template, error) {
	list, err := c.ListTemplates(ctx, wabaID, TemplateFilter{Name: name})
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].Name == name && list[i].Language == language {
			return &list[i], nil
		}
	}
	return nil, nil
}

// GetTemplate reads one template by id (GET /{template-id}).
func (c *Client) GetTemplate(ctx context.Context, templateID string) (*Template, error) {
	if err := checkIDs(EndpointGetTemplate, templateID); err != nil {
		return nil, err
	}
	var t Template
	err := c.do(ctx, call{
		endpoint:   EndpointGetTemplate,
		method:     http.MethodGet,
		path:       []string{templateID},
		query:      url.Values{"fields": {templateFields}},
		object:     templateID,
		idempotent: true,
	}, &t)
	if err != nil {
		return nil, err
	}
	c.shared.learnObject(t.ID, "", t.Status)
	return &t, nil
}

// CreateTemplate submits a template (POST /{waba-id}/message_templates). It
// is never retried: after a transient error the template may exist at Meta,
// so look it up with FindTemplate before creating again. A duplicate
// name+language fails with IsTemplateExists(err) true.
func (c *Client) CreateTemplate(ctx context.Context, wabaID string, t TemplateSpec) (*CreatedTemplate, error) {
	if err := checkIDs(EndpointCreateTemplate, wabaID); err != nil {
		return nil, err
	}
	if t.Name == "" || t.Language == "" || t.Category == "" {
		return nil, fmt.Errorf(errFmtArg, EndpointCreateTemplate, errCreateIncomplete)
	}
	body, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	var out CreatedTemplate
	err = c.do(ctx, call{
		endpoint: EndpointCreateTemplate,
		method:   http.MethodPost,
		path:     []string{wabaID, "message_templates"},
		body:     body,
		waba:     wabaID,
		limit:    limitCreate,
	}, &out)
	if err != nil {
		return nil, err
	}
	c.shared.learnObject(out.ID, wabaID, out.Status)
	return &out, nil
}

// EditTemplate changes a template's category and/or components (POST
// /{template-id}). Approved templates may be edited once per 24 hours and 10
// times per 30 days: when the client knows the template is APPROVED and its
// budget is spent, it refuses without calling Meta, with a *LimitError
// (ClassRateLimited, RetryAfter set, errors.Is ErrEditBudgetExhausted).
// After Meta refuses an edit for its budget the client holds further edits
// of that template back for 24 hours. The budget is Meta's rule, not a
// tunable: Limits.Disabled does not turn it off. Edits are never retried.
func (c *Client) EditTemplate(ctx context.Context, templateID string, e TemplateEdit) error {
	if err := checkIDs(EndpointEditTemplate, templateID); err != nil {
		return err
	}
	status := c.shared.object(templateID).status
	approved := status == TemplateApproved
	// Only approved templates have a budget; an unknown status is checked
	// too, so a refusal Meta already answered is honoured.
	if approved || status == "" {
		if wait := c.shared.edits.wait(templateID, c.shared.now()); wait > 0 {
			metricRateLimitHits.WithLabelValues(EndpointEditTemplate, sourceLocal).Inc()
			metricRequests.WithLabelValues(EndpointEditTemplate, classLabel(ClassRateLimited)).Inc()
			return &LimitError{Endpoint: EndpointEditTemplate, Budget: BudgetTemplateEdit, RetryAfter: wait}
		}
	}
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	err = c.do(ctx, call{
		endpoint: EndpointEditTemplate,
		method:   http.MethodPost,
		path:     []string{templateID},
		body:     body,
		object:   templateID,
	}, nil)
	if err != nil {
		return err
	}
	if approved {
		c.shared.edits.record(templateID, c.shared.now())
		c.shared.learnObject(templateID, "", TemplatePending)
	}
	return nil
}

// DeleteTemplate deletes one template, always by name and hsm_id (DELETE
// /{waba-id}/message_templates?name=&hsm_id=): by name alone Meta would
// delete every language of the name. A template Meta no longer knows counts
// as deleted: Meta's "does not exist" answer (code 100 with subcode 33, or
// its "not found" / "doesn't exist" wording), or another code-100 refusal
// after which a GET of the template says the object does not exist. Any
// other refusal, such as Meta refusing to delete a DISABLED template (also
// code 100), is returned.
func (c *Client) DeleteTemplate(ctx context.Context, wabaID, name, templateID string) error {
	if err := checkIDs(EndpointDeleteTemplate, wabaID); err != nil {
		return err
	}
	if templateID == "" {
		return fmt.Errorf(errFmtArg, EndpointDeleteTemplate, errDeleteNeedsID)
	}
	if name == "" {
		return fmt.Errorf(errFmtArg, EndpointDeleteTemplate, errDeleteNeedsName)
	}
	err := c.do(ctx, call{
		endpoint:   EndpointDeleteTemplate,
		method:     http.MethodDelete,
		path:       []string{wabaID, "message_templates"},
		query:      url.Values{"name": {name}, "hsm_id": {templateID}},
		waba:       wabaID,
		idempotent: true,
	}, nil)
	if err == nil || isTemplateMissing(err) {
		return nil
	}
	if Classify(err) == ClassNotFound {
		// Code 100 is also how Meta refuses a delete (a DISABLED template):
		// count it as done only when the template is confirmed gone.
		if _, gerr := c.GetTemplate(ctx, templateID); isObjectMissing(gerr) {
			return nil
		}
	}
	return err
}

// isTemplateMissing recognises Meta answering a template delete with "the
// template does not exist": code 100 with subcode 33, or code 100 whose
// title or message says the template was not found or doesn't exist.
func isTemplateMissing(err error) bool {
	var me *Error
	if !errors.As(err, &me) || !me.FromMeta || me.NoCode || me.Code != CodeInvalidParameter {
		return false
	}
	if me.Subcode == SubcodeObjectMissing {
		return true
	}
	text := strings.ToLower(me.UserTitle + " " + me.UserMessage + " " + me.Message)
	return strings.Contains(text, "not found") || strings.Contains(text, "doesn't exist") ||
		strings.Contains(text, "does not exist")
}

// isObjectMissing recognises Meta's answer for an id it does not know
// (code 100, subcode 33).
func isObjectMissing(err error) bool {
	var me *Error
	return errors.As(err, &me) && me.FromMeta && !me.NoCode &&
		me.Code == CodeInvalidParameter && me.Subcode == SubcodeObjectMissing
}
