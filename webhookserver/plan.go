package webhookserver

import (
	"encoding/json"

	"k8s.io/apimachinery/pkg/types"
)

// Webhook fields handled other than by forwarding to a chatbot.
const (
	fieldMessages                 = "messages"
	fieldTemplateStatusUpdate     = "message_template_status_update"
	fieldTemplateQualityUpdate    = "message_template_quality_update"
	fieldTemplateComponentsUpdate = "message_template_components_update"
	fieldTemplateCategoryUpdate   = "template_category_update"
	fieldPhoneNumberQualityUpdate = "phone_number_quality_update"
	fieldPhoneNumberNameUpdate    = "phone_number_name_update"
	fieldAccountUpdate            = "account_update"
	fieldOther                    = "other"
)

// templateFields carry message_template_id and no phone number.
var templateFields = map[string]bool{
	fieldTemplateStatusUpdate:     true,
	fieldTemplateQualityUpdate:    true,
	fieldTemplateComponentsUpdate: true,
	fieldTemplateCategoryUpdate:   true,
}

// displayNumberFields carry only display_phone_number.
var displayNumberFields = map[string]bool{
	fieldPhoneNumberQualityUpdate: true,
	fieldPhoneNumberNameUpdate:    true,
}

// Outcomes of one change, as counted in metrics.
const (
	outcomeForwarded    = "forwarded"      // planned for delivery to a chatbot
	outcomeDuplicate    = "duplicate"      // delivered before: left out
	outcomeUnknown      = "unknown"        // no channel claims the number (after a live check)
	outcomePending      = "pending"        // a channel claims the number but is not routable yet
	outcomeTemplate     = "template"       // template event: reconcile requested
	outcomeQuality      = "phone_number"   // display-number event: reconcile requested
	outcomeAcknowledged = "acknowledged"   // account_update and other fields: nothing to do
	outcomeForeignWABA  = "foreign_waba"   // event of another WABA than the provider's
	outcomeMalformed    = "malformed"      // a change this server cannot read
	outcomeIgnoredObj   = "ignored_object" // envelope of another product than WhatsApp
)

// delivery is one POST to one channel's chatbot: every change of the batch
// for that channel's number, grouped by entry as Meta grouped them.
type delivery struct {
	route   Route
	entries []entryPart
	keys    []string
	changes int
	// whole is the webhook body itself when every change of it goes to
	// this delivery unchanged: it is forwarded byte for byte.
	whole []byte
}

// entryPart is an entry of the envelope forwarded to a chatbot.
type entryPart struct {
	index   int // position in the original envelope
	id      json.RawMessage
	time    json.RawMessage
	changes []Change
}

// unknownNumber is a phone number id no cached channel claims.
type unknownNumber struct {
	phoneNumberID string
	displayNumber string
	changes       int
	fields        map[string]int // changes by field, for metrics
}

// pendingNumber is a number a channel claims but that has no route yet.
type pendingNumber struct {
	phoneNumberID string
	channel       types.NamespacedName
}

// changeOutcome is what happened to one change, for metrics.
type changeOutcome struct {
	field   string
	outcome string
}

// batchPlan is what to do with one webhook POST.
type batchPlan struct {
	deliveries []*delivery
	// changes counts every change of the envelope; rewritten is set when
	// dedupe rewrote a value.
	changes        int
	rewritten      bool
	templateIDs    []string
	channelNudges  []types.NamespacedName
	unknown        []*unknownNumber
	pending        []pendingNumber
	outcomes       []changeOutcome
	duplicateItems int
}

// planBatch decides, for every change of every entry, where it goes. It is
// pure: no I/O, so that it can be fuzzed. seen reports the dedupe keys
// already delivered.
func planBatch(env *Envelope, table *RouteTable, seen func(string) bool) *batchPlan {
	p := &batchPlan{}
	unknown := map[string]*unknownNumber{}
	templates := map[string]bool{}
	nudged := map[types.NamespacedName]bool{}
	batch := map[string]bool{}
	for ei, entry := range env.Entry {
		for ci := range entry.Changes {
			ch := &entry.Changes[ci]
			p.changes++
			hdr := ch.decoded().header
			pnid := hdr.phoneNumberID()
			switch {
			case pnid != "":
				p.planNumberChange(ei, entry, ch, hdr, table, seen, batch, unknown)
			case templateFields[ch.Field]:
				id := rawID(hdr.MessageTemplateID)
				switch {
				case id == "":
					p.count(ch.Field, outcomeMalformed)
				case !sameWABA(table, entry):
					p.count(ch.Field, outcomeForeignWABA)
				default:
					p.count(ch.Field, outcomeTemplate)
					if !templates[id] {
						templates[id] = true
						p.templateIDs = append(p.templateIDs, id)
					}
				}
			case displayNumberFields[ch.Field]:
				channel, found := table.ChannelForDisplayNumber(rawID(hdr.DisplayPhoneNumber))
				switch {
				case !sameWABA(table, entry):
					p.count(ch.Field, outcomeForeignWABA)
				case !found:
					p.count(ch.Field, outcomeUnknown)
				default:
					p.count(ch.Field, outcomeQuality)
					if !nudged[channel] {
						nudged[channel] = true
						p.channelNudges = append(p.channelNudges, channel)
					}
				}
			case ch.Field == fieldMessages:
				p.count(ch.Field, outcomeMalformed) // a message without its number
			default:
				p.count(ch.Field, outcomeAcknowledged)
			}
		}
	}
	if len(p.deliveries) == 1 && p.deliveries[0].changes == p.changes && !p.rewritten {
		p.deliveries[0].whole = env.raw
	}
	return p
}

// planNumberChange routes one change that names a phone number id.
func (p *batchPlan) planNumberChange(ei int, entry Entry, ch *Change, hdr valueHeader, table *RouteTable,
	seen func(string) bool, batch map[string]bool, unknown map[string]*unknownNumber) {
	pnid := hdr.phoneNumberID()
	route, ok := table.Lookup(pnid)
	if !ok {
		if channel, claimed := table.Claimed(pnid, hdr.metadataDisplayNumber()); claimed {
			p.pending = append(p.pending, pendingNumber{phoneNumberID: pnid, channel: channel})
			p.count(ch.Field, outcomePending)
			return
		}
		u := unknown[pnid]
		if u == nil {
			u = &unknownNumber{phoneNumberID: pnid, displayNumber: hdr.metadataDisplayNumber(), fields: map[string]int{}}
			unknown[pnid] = u
			p.unknown = append(p.unknown, u)
		}
		u.changes++
		u.fields[ch.Field]++
		return
	}
	res := dedupeDecoded(ch.Field, pnid, ch.Value, ch.decoded(), seen, batch)
	p.duplicateItems += res.dropped
	if res.skip {
		p.count(ch.Field, outcomeDuplicate)
		return
	}
	p.count(ch.Field, outcomeForwarded)
	p.rewritten = p.rewritten || res.dropped > 0
	d := p.deliveryFor(route)
	if n := len(d.entries); n == 0 || d.entries[n-1].index != ei {
		d.entries = append(d.entries, entryPart{index: ei, id: entry.ID, time: entry.Time})
	}
	last := &d.entries[len(d.entries)-1]
	last.changes = append(last.changes, Change{Field: ch.Field, Value: res.value})
	d.keys = append(d.keys, res.keys...)
	d.changes++
}

// deliveryFor returns the delivery to route's channel, adding it on first
// use. A batch reaches few channels: a scan beats a map.
func (p *batchPlan) deliveryFor(route Route) *delivery {
	for _, d := range p.deliveries {
		if d.route.Channel == route.Channel {
			return d
		}
	}
	d := &delivery{route: route}
	p.deliveries = append(p.deliveries, d)
	return d
}

// count records the outcome of one change.
func (p *batchPlan) count(field, outcome string) {
	p.outcomes = append(p.outcomes, changeOutcome{field: field, outcome: outcome})
}

// sameWABA reports whether an entry belongs to the provider's WABA (true
// when the provider's WABA id is not known).
func sameWABA(table *RouteTable, entry Entry) bool {
	return table.WABAID == "" || entry.WABAID() == table.WABAID
}
