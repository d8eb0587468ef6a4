package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Values of PhoneNumber fields the client acts on.
const (
	// PlatformCloudAPI is platform_type of a number registered on the Cloud API.
	PlatformCloudAPI = "CLOUD_API"
	// PlatformOnPremise is platform_type of a number on the On-Premises API.
	PlatformOnPremise = "ON_PREMISE"
	// PhoneStatusConnected is the status of a working number.
	PhoneStatusConnected = "CONNECTED"

	// Values of name_status, Meta's review of the display name.
	NameStatusApproved               = "APPROVED"
	NameStatusAvailableWithoutReview = "AVAILABLE_WITHOUT_REVIEW"
	NameStatusPendingReview          = "PENDING_REVIEW"
	NameStatusDeclined               = "DECLINED"

	phoneFields = "id,display_phone_number,verified_name,code_verification_status,quality_rating," +
		"status,name_status,platform_type,throughput,messaging_limit_tier,account_mode"
	errPIN = "the two-step verification PIN must be exactly 6 digits"
)

// PhoneNumber is a business phone number of a WABA.
type PhoneNumber struct {
	ID string `json:"id"`
	// DisplayPhoneNumber is Meta's human format, such as "+1 202-555-0123";
	// compare numbers with Matches, never as strings.
	DisplayPhoneNumber     string `json:"display_phone_number"`
	VerifiedName           string `json:"verified_name"`
	CodeVerificationStatus string `json:"code_verification_status"`
	QualityRating          string `json:"quality_rating"`
	Status                 string `json:"status"`
	MessagingLimitTier     string `json:"messaging_limit_tier"`
	PlatformType           string `json:"platform_type"`
	NameStatus             string `json:"name_status"`
	AccountMode            string `json:"account_mode"`
	// ThroughputLevel is throughput.level: STANDARD, HIGH or NOT_APPLICABLE.
	ThroughputLevel string `json:"-"`
}

// UnmarshalJSON flattens throughput.level.
func (p *PhoneNumber) UnmarshalJSON(b []byte) error {
	type plain PhoneNumber
	var w struct {
		plain
		Throughput struct {
			Level string `json:"level"`
		} `json:"throughput"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = PhoneNumber(w.plain)
	p.ThroughputLevel = w.Throughput.Level
	return nil
}

// Registered reports whether the number is registered on the Cloud API.
func (p PhoneNumber) Registered() bool {
	return p.PlatformType == PlatformCloudAPI || p.Status == PhoneStatusConnected
}

// NameApproved reports whether the display name may be used: approved, or
// available without review.
func (p PhoneNumber) NameApproved() bool {
	return p.NameStatus == NameStatusApproved || p.NameStatus == NameStatusAvailableWithoutReview
}

// Matches reports whether the number is e164 ("+12025550123"), comparing
// digits only, since Meta formats display numbers with spaces and dashes.
func (p PhoneNumber) Matches(e164 string) bool {
	d := Digits(e164)
	return d != "" && d == Digits(p.DisplayPhoneNumber)
}

// Digits returns the decimal digits of s.
func Digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// ListPhoneNumbers returns every phone number of the WABA, following pages.
// Numbers seen registered move the WABA to the larger management budget.
func (c *Client) ListPhoneNumbers(ctx context.Context, wabaID string) ([]PhoneNumber, error) {
	if err := checkIDs(EndpointListPhoneNumbers, wabaID); err != nil {
		return nil, err
	}
	nums, err := listAll[PhoneNumber](ctx, c, call{
		endpoint:   EndpointListPhoneNumbers,
		method:     http.MethodGet,
		path:       []string{wabaID, "phone_numbers"},
		query:      url.Values{"fields": {phoneFields}},
		waba:       wabaID,
		idempotent: true,
	})
	if err != nil {
		return nil, err
	}
	for _, n := range nums {
		c.shared.learnObject(n.ID, wabaID, "")
		if n.Registered() {
			c.shared.markRegistered(wabaID)
		}
	}
	return nums, nil
}

// GetPhoneNumber reads one phone number with the fields PhoneNumber holds.
func (c *Client) GetPhoneNumber(ctx context.Context, phoneNumberID string) (*PhoneNumber, error) {
	if err := checkIDs(EndpointGetPhoneNumber, phoneNumberID); err != nil {
		return nil, err
	}
	var out PhoneNumber
	err := c.do(ctx, call{
		endpoint:   EndpointGetPhoneNumber,
		method:     http.MethodGet,
		path:       []string{phoneNumberID},
		query:      url.Values{"fields": {phoneFields}},
		object:     phoneNumberID,
		idempotent: true,
	}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// RegisterPhoneNumber registers the number on the Cloud API with a 6-digit
// two-step verification PIN (POST /{id}/register). It is never retried:
// Meta counts register attempts (133016 when too many). The PIN never
// appears in an error.
func (c *Client) RegisterPhoneNumber(ctx context.Context, phoneNumberID, pin string) error {
	if err := checkIDs(EndpointRegisterPhoneNumber, phoneNumberID); err != nil {
		return err
	}
	if len(pin) != 6 || Digits(pin) != pin {
		return fmt.Errorf(errFmtArg, EndpointRegisterPhoneNumber, errPIN)
	}
	body, err := json.Marshal(map[string]string{"messaging_product": "whatsapp", "pin": pin})
	if err != nil {
		return err
	}
	err = c.do(ctx, call{
		endpoint: EndpointRegisterPhoneNumber,
		method:   http.MethodPost,
		path:     []string{phoneNumberID, "register"},
		body:     body,
		object:   phoneNumberID,
		secrets:  []string{pin},
	}, nil)
	if err != nil {
		return err
	}
	if info := c.shared.object(phoneNumberID); info.waba != "" {
		c.shared.markRegistered(info.waba)
	}
	return nil
}
