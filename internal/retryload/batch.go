package retryload

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// The load (issue 10 "Done when"): Batches batches of 2 × PerNumber
// messages, PerNumber for each of two numbers, sent by Senders at once.
// Every FailEvery-th batch chatbot B refuses its part the first time, so
// Meta retries the batch (at the other replica) with A's part already
// delivered; every DupEvery-th batch is sent twice at once.
const (
	Batches   = 500
	PerNumber = 5
	Senders   = 16
	FailEvery = 5
	DupEvery  = 7
	// Messages is how many message ids the load holds.
	Messages = Batches * 2 * PerNumber
)

// Number is a business phone number as Meta's webhooks name it.
type Number struct {
	// PhoneNumberID is metadata.phone_number_id (a channel's
	// status.phoneNumberID); Display is metadata.display_phone_number.
	PhoneNumberID, Display string
}

// Batch is the body of batch n for numbers a and b of WABA waba, and its
// message ids for each number.
func Batch(waba string, a, b Number, n int) (body []byte, idsA, idsB []string) {
	var changes []string
	for i := range PerNumber {
		ia, ib := fmt.Sprintf("wamid.b%d.a%d", n, i), fmt.Sprintf("wamid.b%d.b%d", n, i)
		idsA, idsB = append(idsA, ia), append(idsB, ib)
		changes = append(changes, change(a, ia), change(b, ib))
	}
	body = []byte(`{"object":"whatsapp_business_account","entry":[{"id":"` + waba + `","changes":[` + strings.Join(changes, ",") + `]}]}`)
	return body, idsA, idsB
}

// change is one text message to number n, as field "messages".
func change(n Number, id string) string {
	return `{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"` + n.Display + `","phone_number_id":"` + n.PhoneNumberID +
		`"},"contacts":[{"profile":{"name":"Sheena"},"wa_id":"16505551234"}],` +
		`"messages":[{"from":"16505551234","id":"` + id + `","timestamp":"1749416383","type":"text","text":{"body":"hi"}}]},"field":"messages"}`
}

// Signature is the X-Hub-Signature-256 value Meta sends with body.
func Signature(appSecret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
