package graphsim

import (
	"encoding/json"
	"strconv"
	"time"
)

// Status is a delivery receipt for a message the business sent.
type Status struct {
	WABAID, PhoneNumberID, DisplayPhoneNumber string
	MessageID                                 string
	RecipientID                               string
	// Status is sent, delivered, read, failed, played or deleted.
	Status string
	// Timestamp defaults to now.
	Timestamp time.Time
	// Errors explain a failed status (for example 131047).
	Errors []StatusError
}

// StatusError is one entry of a failed status's errors.
type StatusError struct {
	Code           int
	Title, Details string
}

// StatusWebhook is a "messages" change carrying one status. sent and
// delivered carry conversation and pricing blocks, as Meta's do.
func StatusWebhook(st Status) []byte {
	ts := st.Timestamp
	if ts.IsZero() {
		ts = time.Now()
	}
	item := map[string]any{
		"id": st.MessageID, "status": st.Status,
		"timestamp": strconv.FormatInt(ts.Unix(), 10), "recipient_id": st.RecipientID,
	}
	if st.Status == "sent" || st.Status == "delivered" {
		item["conversation"] = map[string]any{
			"id":                   wamid(st.PhoneNumberID, st.RecipientID)[len("wamid.HBgL"):][:30],
			"expiration_timestamp": strconv.FormatInt(ts.Add(24*time.Hour).Unix(), 10),
			"origin":               map[string]string{"type": "service"},
		}
		item["pricing"] = map[string]any{"billable": true, "pricing_model": "CBP", "category": "service"}
	}
	if len(st.Errors) > 0 {
		errs := make([]any, 0, len(st.Errors))
		for _, e := range st.Errors {
			errs = append(errs, map[string]any{
				"code": e.Code, "title": e.Title, "message": e.Title,
				"error_data": map[string]string{"details": e.Details}, "href": errorsHref,
			})
		}
		item["errors"] = errs
	}
	return envelope(st.WABAID, fieldMessages, map[string]any{
		"messaging_product": messagingProduct,
		"metadata":          metadata(st.DisplayPhoneNumber, st.PhoneNumberID),
		"statuses":          []any{item},
	}, time.Time{})
}

// WindowClosedError is the StatusError of a free-form message sent after
// the 24-hour customer-service window closed.
func WindowClosedError() StatusError {
	return StatusError{Code: CodeReengagement, Title: "Re-engagement message",
		Details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number."}
}

// TemplateEvent is a message_template_status_update.
type TemplateEvent struct {
	WABAID, TemplateID, Name, Language string
	// Event is the new status: APPROVED, REJECTED, PAUSED, DISABLED, ...
	Event string
	// Reason defaults to "NONE".
	Reason   string
	Category string
	// RejectionReason and Recommendation fill rejection_info when set.
	RejectionReason, Recommendation string
	// Time defaults to now.
	Time time.Time
}

// TemplateStatusWebhook is a message_template_status_update. It carries no
// phone_number_id: route it by WABA id and template id.
func TemplateStatusWebhook(e TemplateEvent) []byte {
	reason := e.Reason
	if reason == "" {
		reason = rejectedReasonNone
	}
	v := map[string]any{
		"event":                     e.Event,
		"message_template_id":       numericID(e.TemplateID),
		"message_template_name":     e.Name,
		"message_template_language": e.Language,
		"reason":                    reason,
	}
	if e.Category != "" {
		v["message_template_category"] = e.Category
	}
	if e.RejectionReason != "" || e.Recommendation != "" {
		v["rejection_info"] = map[string]string{"reason": e.RejectionReason, "recommendation": e.Recommendation}
	}
	return envelope(e.WABAID, fieldTemplateStatus, v, orNow(e.Time))
}

// TemplateQuality is a message_template_quality_update.
type TemplateQuality struct {
	WABAID, TemplateID, Name, Language string
	Previous, New                      string
	Time                               time.Time
}

// TemplateQualityWebhook is a message_template_quality_update.
func TemplateQualityWebhook(q TemplateQuality) []byte {
	return envelope(q.WABAID, fieldTemplateQuality, map[string]any{
		"previous_quality_score":    q.Previous,
		"new_quality_score":         q.New,
		"message_template_id":       numericID(q.TemplateID),
		"message_template_name":     q.Name,
		"message_template_language": q.Language,
	}, orNow(q.Time))
}

// PhoneQuality is a phone_number_quality_update, keyed by the display
// number only (no phone_number_id).
type PhoneQuality struct {
	WABAID, DisplayPhoneNumber string
	// Event is FLAGGED, UNFLAGGED, UPGRADE, DOWNGRADE, ...
	Event        string
	CurrentLimit string
	// MaxDailyConversations is max_daily_conversations_per_business.
	MaxDailyConversations string
	Time                  time.Time
}

// PhoneQualityWebhook is a phone_number_quality_update.
func PhoneQualityWebhook(p PhoneQuality) []byte {
	v := map[string]any{"display_phone_number": p.DisplayPhoneNumber, "event": p.Event}
	if p.CurrentLimit != "" {
		v["current_limit"] = p.CurrentLimit
	}
	if p.MaxDailyConversations != "" {
		v["max_daily_conversations_per_business"] = p.MaxDailyConversations
	}
	return envelope(p.WABAID, fieldPhoneQuality, v, orNow(p.Time))
}

// numericID renders a numeric id as a JSON number, as template webhooks do.
func numericID(id string) any {
	if _, err := strconv.ParseInt(id, 10, 64); err == nil {
		return json.Number(id)
	}
	return id
}

func orNow(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}
