package webhookserver

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDedupeValue(t *testing.T) {
	const pnid = "101"
	twoMessages := `{"metadata":{"phone_number_id":"101"},"contacts":[{"wa_id":"1"}],"messages":[{"id":"wamid.A","type":"text"},{"id":"wamid.B","type":"text"}]}`
	statuses := `{"metadata":{"phone_number_id":"101"},"statuses":[{"id":"wamid.S","status":"sent","recipient_id":"1"},{"id":"wamid.S","status":"delivered","recipient_id":"1"}]}`
	group := `{"metadata":{"phone_number_id":"101"},"statuses":[{"id":"wamid.G","status":"read","recipient_participant_id":"p1"},{"id":"wamid.G","status":"read","recipient_participant_id":"p2"}]}`
	noItems := `{"metadata":{"phone_number_id":"101"},"errors":[{"code":131000}]}`
	type want struct {
		value   string // compacted; "" when skipped
		keys    []string
		dropped int
		skip    bool
	}
	cases := map[string]struct {
		reason string
		value  string
		seen   []string
		batch  []string
		want   want
	}{
		"Fresh": {
			reason: "nothing seen: the value goes out byte for byte, every item's key is to record",
			value:  twoMessages,
			want:   want{value: twoMessages, keys: []string{"messages|101|wamid.A", "messages|101|wamid.B"}},
		},
		"AllSeen": {
			reason: "a retried change whose every message was delivered is skipped",
			value:  twoMessages,
			seen:   []string{"messages|101|wamid.A", "messages|101|wamid.B"},
			want:   want{dropped: 2, skip: true},
		},
		"PartlySeen": {
			reason: "only the undelivered message goes; other keys keep their order and bytes",
			value:  twoMessages,
			seen:   []string{"messages|101|wamid.A"},
			want: want{
				value:   `{"metadata":{"phone_number_id":"101"},"contacts":[{"wa_id":"1"}],"messages":[{"id":"wamid.B","type":"text"}]}`,
				keys:    []string{"messages|101|wamid.B"},
				dropped: 1,
			},
		},
		"SameBatch": {
			reason: "a message repeated within one batch goes once",
			value:  twoMessages,
			batch:  []string{"messages|101|wamid.A", "messages|101|wamid.B"},
			want:   want{dropped: 2, skip: true},
		},
		"StatusesDiffer": {
			reason: "sent and delivered of one message are two events",
			value:  statuses,
			seen:   []string{"statuses|101|wamid.S|sent|1||"},
			want: want{
				value:   `{"metadata":{"phone_number_id":"101"},"statuses":[{"id":"wamid.S","status":"delivered","recipient_id":"1"}]}`,
				keys:    []string{"statuses|101|wamid.S|delivered|1||"},
				dropped: 1,
			},
		},
		"GroupReadReceipts": {
			reason: "read receipts of two group participants are two events",
			value:  group,
			want:   want{value: group, keys: []string{"statuses|101|wamid.G|read||p1|", "statuses|101|wamid.G|read||p2|"}},
		},
		"NoItemsFresh": {
			reason: "a value without keyed items is identified by its hash",
			value:  noItems,
			want:   want{value: noItems, keys: []string{"value|101|messages|" + hashBytes([]byte(noItems))}},
		},
		"NoItemsSeen": {
			reason: "the same item-less value again is a duplicate",
			value:  noItems,
			seen:   []string{"value|101|messages|" + hashBytes([]byte(noItems))},
			want:   want{dropped: 1, skip: true},
		},
		"NotAnObject": {
			reason: "a value that is not an object is forwarded as is, without keys",
			value:  `"odd"`,
			want:   want{value: `"odd"`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			seen := map[string]bool{}
			for _, k := range tc.seen {
				seen[k] = true
			}
			batch := map[string]bool{}
			for _, k := range tc.batch {
				batch[k] = true
			}
			res := dedupeValue("messages", pnid, json.RawMessage(tc.value), func(k string) bool { return seen[k] }, batch)
			got := want{keys: res.keys, dropped: res.dropped, skip: res.skip}
			if res.value != nil {
				got.value = string(res.value)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\ndedupeValue: -want, +got:\n%s", tc.reason, diff)
			}
			if res.value != nil && !json.Valid(res.value) {
				t.Errorf("%s\ninvalid JSON: %s", tc.reason, res.value)
			}
		})
	}
}

func TestDedupeCache(t *testing.T) {
	c := newDedupeCache(2)
	c.Record([]string{"a", "b"})
	c.Record([]string{"c"})
	got := []bool{c.Seen("a"), c.Seen("b"), c.Seen("c")}
	if diff := cmp.Diff([]bool{false, true, true}, got); diff != "" {
		t.Errorf("the cache is bounded and forgets the least recently used key: -want, +got:\n%s", diff)
	}
}
