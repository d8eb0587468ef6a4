package webhookserver

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"

	"github.com/go-json-experiment/json/jsontext"
	lru "github.com/hashicorp/golang-lru/v2"
)

// deduper is what the request path needs of the dedupe memory: whether a
// key was delivered, and to remember the keys of a delivery the chatbot
// accepted. dedupeCache is the in-memory one; a shared store (issue 10)
// fits behind the same two methods.
type deduper interface {
	Seen(key string) bool
	Record(keys []string)
}

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

// numKeyedArrays is the number of keyedArrays.
const numKeyedArrays = 4

// keyedArrays: message ids are unique; a status is its message id plus the
// status (sent, delivered, read...) plus the recipient (group messages get
// one read receipt per participant); a call event is its call id plus event.
// The first field is the item's id.
var keyedArrays = [numKeyedArrays]keyedArray{
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
// value without any keyed item is identified by the hash of its bytes.
// Items keep their original bytes; only when some are dropped is the value
// object rewritten, keeping its other keys and their order.
func dedupeValue(field, pnid string, value json.RawMessage, seen func(string) bool, batch map[string]bool) dedupeResult {
	return dedupeDecoded(field, pnid, value, decodeValueInfo(value), seen, batch)
}

// dedupeDecoded is dedupeValue on a value already decoded into info.
func dedupeDecoded(field, pnid string, value json.RawMessage, info *valueInfo, seen func(string) bool, batch map[string]bool) dedupeResult {
	if !info.object {
		return dedupeResult{value: value}
	}
	isDup := func(k string) bool { return batch[k] || seen(k) }
	var res dedupeResult
	var dropped []*keyedItem
	total := 0
	for i, ka := range keyedArrays {
		for j := range info.items[i] {
			it := &info.items[i][j]
			total++
			k := it.key(ka, pnid)
			if isDup(k) {
				dropped = append(dropped, it)
				continue
			}
			batch[k] = true
			res.keys = append(res.keys, k)
		}
	}
	res.dropped = len(dropped)
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
	case res.dropped == total:
		res.skip = true
	default:
		res.value = keepItems(value, info, dropped)
	}
	return res
}

// keepItems rewrites value without the dropped items.
func keepItems(value json.RawMessage, info *valueInfo, dropped []*keyedItem) json.RawMessage {
	kept := map[string][]json.RawMessage{}
	for i, ka := range keyedArrays {
		for j := range info.items[i] {
			if it := &info.items[i][j]; !slices.Contains(dropped, it) {
				kept[ka.name] = append(kept[ka.name], it.raw)
			}
		}
	}
	members, order, _ := splitObject(value)
	return rewriteObject(order, members, kept)
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
// raw bytes and the order of keys (a repeated key keeps its first place and
// its last value). ok is false for anything but an object.
func splitObject(value json.RawMessage) (members map[string]json.RawMessage, order []string, ok bool) {
	w := newWalker(value)
	if w.kind() != jsontext.KindBeginObject || w.open() != nil {
		return nil, nil, false
	}
	members = map[string]json.RawMessage{}
	for {
		more, err := w.more()
		if err != nil {
			return nil, nil, false
		}
		if !more {
			break
		}
		name, err := w.name()
		if err != nil {
			return nil, nil, false
		}
		raw, err := w.value()
		if err != nil {
			return nil, nil, false
		}
		key := string(name)
		if _, dup := members[key]; !dup {
			order = append(order, key)
		}
		members[key] = raw
	}
	return members, order, w.finish() == nil
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
