package graphsim

import "time"

// fieldTemplateCategory is the webhook field of a re-categorisation.
const fieldTemplateCategory = "template_category_update"

// TemplateCategoryChange is a template_category_update.
type TemplateCategoryChange struct {
	WABAID, TemplateID, Name, Language string
	Previous, New                      string
	Time                               time.Time
}

// TemplateCategoryWebhook is a template_category_update: Meta moved a
// template to another category (previous_category and new_category).
func TemplateCategoryWebhook(c TemplateCategoryChange) []byte {
	v := map[string]any{
		"message_template_id":       numericID(c.TemplateID),
		"message_template_name":     c.Name,
		"message_template_language": c.Language,
		"new_category":              c.New,
	}
	if c.Previous != "" {
		v["previous_category"] = c.Previous
	}
	return envelope(c.WABAID, fieldTemplateCategory, v, orNow(c.Time))
}

// SetTemplateCategory re-categorises a template as Meta's review may, sets
// its previous_category, and sends template_category_update to subscribed
// apps' callbacks.
func (s *Server) SetTemplateCategory(templateID, category string) error {
	s.mu.Lock()
	t, ok := s.templates[templateID]
	if !ok {
		s.mu.Unlock()
		return errNoTemplate(templateID)
	}
	prev := t.Category
	t.PreviousCategory, t.Category = prev, category
	s.queueAppWebhooksLocked(t.WABAID, fieldTemplateCategory, TemplateCategoryWebhook(TemplateCategoryChange{
		WABAID: t.WABAID, TemplateID: t.ID, Name: t.Name, Language: t.Language, Previous: prev, New: category, Time: s.now(),
	}))
	s.mu.Unlock()
	s.flushOutbox()
	return nil
}
