package webhookserver

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	lru "github.com/hashicorp/golang-lru/v2"
)

// dedupeCache remembers the items (messages, statuses, echoes, call events)
// already delivered to a chatbot, so that Meta's retry of a batch does not
// reach the chatbot twice. Keys are added only after the chatbot accepted
// the delivery. It is bounded (LRU) and per replica: a best effort over
// Meta's retry window, not a guarantee; chatbots should still be idempotent
// by message id.
type dedupeCache struct {
	lru *lru.Cache[string, struct{}]
}

// newDedupeCache returns a cache of at most size keys.
func newDedupeCache(size int) *dedupeCache {
	c, err := lru.New[string, struct{}](size)
	if err != nil { // only for size <= 0, which Options rules out
		panic(err)
	}
	return &dedupeCache{lru: c}
}

// Seen reports whether key was delivered already.
func (d *dedupeCache) Seen(key string) bool { return d.lru.Contains(key) }

// Record remembers delivered keys.
func (d *dedupeCache) Record(keys []string) {
	for _, k := range keys {
		d.lru.Add(k, struct{}{})
	}
}

// keyedArray names an array of a change value whose items are deduplicated,
// and the item fields that make an item's identity.
type keyedArray struct {
	name   string
	fields []string
}

// keyedArrays: message ids are unique; a status is its message id plus the
// status (sent, delivered, read...) plus the recipient (group messages get
// one read receipt per participant); a call event is its call id plus event.
var keyedArrays = []keyedArray{
	{name: "messages", fields: []string{"id"}},
	{name: "statuses", fields: []string{"id", "status", "recipient_id", "recipient_participant_id", "recipient_participant_user_id"}},
	{name: "message_echoes", fields: []string{"id"}},
	{name: "calls", fields: []string{"id", "event"}},
}

// dedupeResult is what dedupeValue decided for one change.
type dedupeResult struct {
	// value to forward: the original bytes when nothing was dropped.
	value json.RawMessage
	// keys to record once the delivery succeeded.
	keys []string
	// dropped counts the items left out as duplicates.
	dropped int
	// skip is true when nothing of the change is left to deliver.
	skip bool
}

// dedupeValue drops from a change value the items already delivered (seen)
// or already taken earlier in the same batch (batch, updated in place). A
// value without any keyed array is identified by the hash of its bytes.
// Items keep their original bytes; only when some are dropped is the value
// object rewritten, keeping its other keys and their order.
func dedupeValue(field, pnid string, value json.RawMessage, seen func(string) bool, batch map[string]bool) dedupeResult {
	isDup := func(k string) bool { return batch[k] || seen(k) }
	arrays, order, ok := splitObject(value)
	if !ok {
		return dedupeResult{value: value}
	}
	var res dedupeResult
	kept := map[string][]json.RawMessage{}
	total, keptCount := 0, 0
	for _, ka := range keyedArrays {
		raw, present := arrays[ka.name]
		if !present {
			continue
		}
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			continue
		}
		for _, item := range items {
			total++
			k := itemKey(ka, pnid, item)
			if isDup(k) {
				res.dropped++
				continue
			}
			batch[k] = true
			res.keys = append(res.keys, k)
			kept[ka.name] = append(kept[ka.name], item)
			keptCount++
		}
	}
	if total == 0 {
		k := "value|" + pnid + "|" + field + "|" + hashBytes(value)
		if isDup(k) {
			return dedupeResult{dropped: 1, skip: true}
		}
		batch[k] = true
		return dedupeResult{value: value, keys: []string{k}}
	}
	switch {
	case res.dropped == 0:
		res.value = value
	case keptCount == 0:
		res.skip = true
	default:
		res.value = rewriteObject(order, arrays, kept)
	}
	return res
}

// itemKey is the identity of one item of a keyed array.
func itemKey(ka keyedArray, pnid string, item json.RawMessage) string {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(item, &obj); err != nil || rawID(obj["id"]) == "" {
		return ka.name + "|" + pnid + "|raw|" + hashBytes(item)
	}
	parts := []string{ka.name, pnid}
	for _, f := range ka.fields {
		parts = append(parts, rawID(obj[f]))
	}
	return strings.Join(parts, "|")
}

// hashBytes returns the hex SHA-256 of compacted JSON (so that whitespace
// differences do not matter).
func hashBytes(b []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err == nil {
		b = buf.Bytes()
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// splitObject decodes a JSON object into its members, keeping each member's
// raw bytes and the order of keys. ok is false for anything but an object.
func splitObject(value json.RawMessage) (members map[string]json.RawMessage, order []string, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(value))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, nil, false
	}
	members = map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, false
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, false
		}
		if _, dup := members[key]; !dup {
			order = append(order, key)
		}
		members[key] = raw
	}
	return members, order, true
}

// rewriteObject writes the object back in its key order, with the keyed
// arrays replaced by their kept items (a key whose items were all dropped
// is left out).
func rewriteObject(order []string, members map[string]json.RawMessage, kept map[string][]json.RawMessage) json.RawMessage {
	replaced := map[string]bool{}
	for _, ka := range keyedArrays {
		replaced[ka.name] = true
	}
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for _, key := range order {
		val := members[key]
		if replaced[key] {
			items, ok := kept[key]
			if !ok {
				var probe []json.RawMessage
				if json.Unmarshal(val, &probe) == nil {
					continue // every item of this array was a duplicate
				}
			} else {
				val = joinArray(items)
			}
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeJSONString(&b, key)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// joinArray writes raw items as a JSON array.
func joinArray(items []json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(it)
	}
	b.WriteByte(']')
	return b.Bytes()
}
