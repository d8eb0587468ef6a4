package webhookserver

import (
	"bytes"
	"errors"
	"io"

	"github.com/go-json-experiment/json/jsontext"
)

// decodeOptions: Meta's bodies are what they are. Duplicate names are
// allowed (the last one wins, as encoding/json does) and strings with
// invalid UTF-8 are kept as sent; the bytes are forwarded untouched.
var decodeOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

// errEnvelopeShape: the body is JSON but a member of the envelope has the
// wrong kind (an entry that is not an object, a field that is not a string).
var errEnvelopeShape = errors.New("webhook envelope member of the wrong kind")

// walker reads one JSON document with a single pass of a jsontext decoder
// and hands out the exact bytes of the values it passes, as sub-slices of
// the document (no copy).
type walker struct {
	dec *jsontext.Decoder
	doc []byte
}

// newWalker reads doc, which must not change while its values are in use.
func newWalker(doc []byte) *walker {
	return &walker{dec: jsontext.NewDecoder(bytes.NewBuffer(doc), decodeOptions...), doc: doc}
}

// kind peeks at the next value's kind.
func (w *walker) kind() jsontext.Kind { return w.dec.PeekKind() }

// value reads the next value whole and returns its exact bytes.
func (w *walker) value() ([]byte, error) {
	v, err := w.dec.ReadValue()
	if err != nil {
		return nil, err
	}
	end := int(w.dec.InputOffset())
	return w.doc[end-len(v) : end], nil
}

// start returns where the next value begins: after the last token, past
// whitespace and the separators ':' and ','. Call it after kind().
func (w *walker) start() int {
	i := int(w.dec.InputOffset())
	for i < len(w.doc) {
		switch w.doc[i] {
		case ' ', '\t', '\r', '\n', ':', ',':
			i++
			continue
		}
		break
	}
	return i
}

// end is where the last value or token read ends.
func (w *walker) end() int { return int(w.dec.InputOffset()) }

// open reads the opening token of an object or array.
func (w *walker) open() error {
	_, err := w.dec.ReadToken()
	return err
}

// more reports whether the object or array being read has another member;
// at its end it reads the closing token.
func (w *walker) more() (bool, error) {
	switch w.dec.PeekKind() {
	case jsontext.KindEndObject, jsontext.KindEndArray:
		_, err := w.dec.ReadToken()
		return false, err
	case 0:
		_, err := w.dec.ReadToken()
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return false, err
	}
	return true, nil
}

// members reads an object, calling member with each member's name; member
// must read the member's value.
func (w *walker) members(member func(name []byte) error) error {
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
		if err := member(name); err != nil {
			return err
		}
	}
}

// name reads an object member's name. Plain names (no escapes, as Meta
// sends them) are returned without a copy.
func (w *walker) name() ([]byte, error) {
	v, err := w.dec.ReadValue()
	if err != nil {
		return nil, err
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return v[1 : len(v)-1], nil
	}
	return jsontext.AppendUnquote(nil, v)
}

// skip passes over the next value.
func (w *walker) skip() error { return w.dec.SkipValue() }

// finish checks that nothing but whitespace follows the document.
func (w *walker) finish() error {
	if _, err := w.dec.ReadToken(); err != io.EOF {
		if err == nil {
			err = errEnvelopeShape
		}
		return err
	}
	return nil
}

// str reads a string (or null, as "") member.
func (w *walker) str() (string, error) {
	switch w.kind() {
	case jsontext.KindString:
		tok, err := w.dec.ReadToken()
		return tok.String(), err
	case jsontext.KindNull:
		return "", w.skip()
	}
	return "", errEnvelopeShape
}
