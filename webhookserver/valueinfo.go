package webhookserver

import (
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// maxKeyFields is the most identity fields a keyed array's items have
// (statuses: id, status and three recipients).
const maxKeyFields = 5

// valueInfo is what routing and dedupe read of one change value: its
// routing header and the identity fields of its keyed items, read in the
// same pass as the envelope (decode once), with every byte slice pointing
// into the body.
type valueInfo struct {
	// object is true when the value is a JSON object; other values carry
	// no header and no keyed items.
	object bool
	header valueHeader
	// items holds each keyed array's items, in keyedArrays order; a keyed
	// name that is not an array holds none.
	items [numKeyedArrays][]keyedItem
}

// keyedItem is one item of a keyed array.
type keyedItem struct {
	raw []byte
	// object is true when the item is a JSON object; fields then holds the
	// raw values of its keyedArray.fields (nil when absent).
	object bool
	fields [maxKeyFields][]byte
}

// key is the item's dedupe identity: the keyed array, the phone number id
// and its identity fields, or, for an item without an id, a hash of its
// bytes.
func (it *keyedItem) key(ka keyedArray, pnid string) string {
	if !it.object || rawID(it.fields[0]) == "" {
		return ka.name + "|" + pnid + "|raw|" + hashBytes(it.raw)
	}
	var b strings.Builder
	b.Grow(len(ka.name) + len(pnid) + 64)
	b.WriteString(ka.name)
	b.WriteByte('|')
	b.WriteString(pnid)
	for i := range ka.fields {
		b.WriteByte('|')
		b.WriteString(rawID(it.fields[i]))
	}
	return b.String()
}

// decodeValueInfo reads one change value on its own (the envelope decode
// reads it in passing). Anything but a well-formed JSON object yields no
// header and no items.
func decodeValueInfo(value []byte) *valueInfo {
	w := newWalker(value)
	_, info, err := w.readValue()
	if err != nil || w.finish() != nil {
		return &valueInfo{}
	}
	return info
}

// readValue reads a change value, returning its exact bytes and what
// routing and dedupe need of it.
func (w *walker) readValue() ([]byte, *valueInfo, error) {
	if w.kind() != jsontext.KindBeginObject {
		raw, err := w.value()
		return raw, &valueInfo{}, err
	}
	start := w.start()
	info := &valueInfo{object: true}
	badHeader := false
	if err := w.open(); err != nil {
		return nil, nil, err
	}
	for {
		more, err := w.more()
		if err != nil {
			return nil, nil, err
		}
		if !more {
			break
		}
		name, err := w.name()
		if err != nil {
			return nil, nil, err
		}
		switch string(name) {
		case "metadata":
			switch w.kind() {
			case jsontext.KindBeginObject:
				err = w.readMetadata(&info.header)
			case jsontext.KindNull:
				info.header.Metadata, err = nil, w.skip()
			default:
				// Not an object: the header is unreadable as a whole.
				badHeader, err = true, w.skip()
			}
		case "message_template_id":
			info.header.MessageTemplateID, err = w.value()
		case "display_phone_number":
			info.header.DisplayPhoneNumber, err = w.value()
		default:
			err = w.readKeyed(info, name)
		}
		if err != nil {
			return nil, nil, err
		}
	}
	if badHeader {
		info.header = valueHeader{}
	}
	return w.doc[start:w.end()], info, nil
}

// readMetadata reads the metadata object into h, merging with an earlier
// metadata member as encoding/json does.
func (w *walker) readMetadata(h *valueHeader) error {
	if h.Metadata == nil {
		h.Metadata = &valueMetadata{}
	}
	if err := w.open(); err != nil {
		return err
	}
	for {
		more, err := w.more()
		if err != nil || !more {
			return err
		}
		name, err := w.name()
		if err != nil {
			return err
		}
		switch string(name) {
		case "phone_number_id":
			h.Metadata.PhoneNumberID, err = w.value()
		case "display_phone_number":
			h.Metadata.DisplayPhoneNumber, err = w.value()
		default:
			err = w.skip()
		}
		if err != nil {
			return err
		}
	}
}

// readKeyed reads a member named name: a keyed array's items, or nothing
// for any other member. The last member of a name wins.
func (w *walker) readKeyed(info *valueInfo, name []byte) error {
	i := keyedIndex(name)
	if i < 0 {
		return w.skip()
	}
	info.items[i] = nil
	if w.kind() != jsontext.KindBeginArray {
		return w.skip()
	}
	if err := w.open(); err != nil {
		return err
	}
	for {
		more, err := w.more()
		if err != nil || !more {
			return err
		}
		item, err := w.readItem(keyedArrays[i])
		if err != nil {
			return err
		}
		info.items[i] = append(info.items[i], item)
	}
}

// readItem reads one item of a keyed array.
func (w *walker) readItem(ka keyedArray) (keyedItem, error) {
	if w.kind() != jsontext.KindBeginObject {
		raw, err := w.value()
		return keyedItem{raw: raw}, err
	}
	start := w.start()
	it := keyedItem{object: true}
	if err := w.open(); err != nil {
		return it, err
	}
	for {
		more, err := w.more()
		if err != nil {
			return it, err
		}
		if !more {
			break
		}
		name, err := w.name()
		if err != nil {
			return it, err
		}
		if f := fieldIndex(ka, name); f >= 0 {
			it.fields[f], err = w.value()
		} else {
			err = w.skip()
		}
		if err != nil {
			return it, err
		}
	}
	it.raw = w.doc[start:w.end()]
	return it, nil
}

// keyedIndex is name's index in keyedArrays, -1 when it is not keyed.
func keyedIndex(name []byte) int {
	for i := range keyedArrays {
		if string(name) == keyedArrays[i].name {
			return i
		}
	}
	return -1
}

// fieldIndex is name's index among ka's identity fields, -1 when none.
func fieldIndex(ka keyedArray, name []byte) int {
	for i, f := range ka.fields {
		if string(name) == f {
			return i
		}
	}
	return -1
}

// decoded returns what was read of the change's value, decoding it now for
// a Change that did not come from ParseEnvelope.
func (c *Change) decoded() *valueInfo {
	if c.info == nil {
		c.info = decodeValueInfo(c.Value)
	}
	return c.info
}
