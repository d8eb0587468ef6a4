package graph

import (
	"bytes"
	"sort"
	"unicode/utf16"
	"unicode/utf8"
)

// span is a byte range [start, end) of a text.
type span struct{ start, end int }

// view is a text decoded one way, each byte of it mapped back to the bytes
// of the original text it came from: b[i] was decoded from
// original[start[i]:end[i]].
type view struct {
	b          []byte
	start, end []int32
}

// rawView is text as it is.
func rawView(text string) view {
	v := view{b: []byte(text), start: make([]int32, len(text)), end: make([]int32, len(text))}
	for i := range len(text) { // bytes, not runes
		v.start[i], v.end[i] = int32(i), int32(i+1)
	}
	return v
}

// decodedViews are the spellings the scrubber looks through besides the
// raw text: JSON string escapes, percent escapes, and any two of them in
// a row (a JSON body quoting a JSON body, a URL escaped inside a JSON
// string, a URL escaped twice). A view is decoded only when the one it
// comes from holds an escape.
func decodedViews(raw view) []view {
	var firsts, views []view
	if bytes.IndexByte(raw.b, '\\') >= 0 {
		firsts = append(firsts, jsonUnescaped(raw))
	}
	if bytes.IndexByte(raw.b, '%') >= 0 {
		firsts = append(firsts, percentDecoded(raw))
	}
	for _, first := range firsts {
		views = append(views, first)
		if bytes.IndexByte(first.b, '\\') >= 0 {
			views = append(views, jsonUnescaped(first))
		}
		if bytes.IndexByte(first.b, '%') >= 0 {
			views = append(views, percentDecoded(first))
		}
	}
	if len(firsts) == 2 {
		// Both kinds, possibly one inside the other in either order from
		// one character to the next: decode both at once, twice.
		once := decoded(raw, true, true)
		views = append(views, once, decoded(once, true, true))
	}
	return views
}

// find returns the spans of the original text whose decoding is secret.
func (v view) find(secret string) []span {
	var out []span
	needle := []byte(secret)
	for from := 0; from < len(v.b); {
		i := bytes.Index(v.b[from:], needle)
		if i < 0 {
			break
		}
		i += from
		last := i + len(needle) - 1
		out = append(out, span{int(v.start[i]), int(v.end[last])})
		from = i + 1
	}
	return out
}

// emitter builds a view from another, consuming its bytes.
type emitter struct {
	in  view
	out view
}

// emit appends decoded as the decoding of in.b[from:to].
func (e *emitter) emit(decoded []byte, from, to int) {
	e.out.b = append(e.out.b, decoded...)
	for range decoded {
		e.out.start = append(e.out.start, e.in.start[from])
		e.out.end = append(e.out.end, e.in.end[to-1])
	}
}

// emitByte appends one decoded byte, the decoding of in.b[from:to].
func (e *emitter) emitByte(c byte, from, to int) {
	e.out.b = append(e.out.b, c)
	e.out.start = append(e.out.start, e.in.start[from])
	e.out.end = append(e.out.end, e.in.end[to-1])
}

// jsonUnescaped decodes the escapes of JSON strings (\", \\, \/, \b, \f,
// \n, \r, \t, \uXXXX with surrogate pairs) wherever they appear; anything
// else, including a malformed escape, stays as it is.
func jsonUnescaped(in view) view { return decoded(in, true, false) }

// percentDecoded decodes %XX escapes (either case) wherever they appear;
// a malformed one stays as it is.
func percentDecoded(in view) view { return decoded(in, false, true) }

// decoded decodes JSON string escapes, percent escapes or both, in one
// pass from left to right.
func decoded(in view, json, percent bool) view {
	n := len(in.b)
	e := emitter{in: in, out: view{b: make([]byte, 0, n), start: make([]int32, 0, n), end: make([]int32, 0, n)}}
	b := in.b
	for i := 0; i < len(b); {
		n := 0
		switch {
		case json && b[i] == '\\':
			n = e.jsonEscape(b, i)
		case percent && b[i] == '%':
			n = e.percentEscape(b, i)
		}
		if n == 0 {
			e.emitByte(b[i], i, i+1)
			n = 1
		}
		i += n
	}
	return e.out
}

// jsonEscape emits the JSON escape at b[i:] and returns its length, or 0.
func (e *emitter) jsonEscape(b []byte, i int) int {
	if i+1 >= len(b) {
		return 0
	}
	if c, ok := shortEscapes[b[i+1]]; ok {
		e.emitByte(c, i, i+2)
		return 2
	}
	r, n := unicodeEscape(b[i:])
	if n > 0 {
		var buf [utf8.UTFMax]byte
		e.emit(buf[:utf8.EncodeRune(buf[:], r)], i, i+n)
	}
	return n
}

var shortEscapes = map[byte]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// unicodeEscape decodes \uXXXX (and a following low surrogate) at the start
// of b, returning the rune and the bytes consumed, or 0 bytes.
func unicodeEscape(b []byte) (rune, int) {
	r1, ok := hex4(b)
	if !ok {
		return 0, 0
	}
	if utf16.IsSurrogate(r1) {
		if r2, ok := hex4(b[6:]); ok {
			if r := utf16.DecodeRune(r1, r2); r != utf8.RuneError {
				return r, 12
			}
		}
	}
	return r1, 6
}

// hex4 parses \uXXXX at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	n, ok := parseHex(b[2:6])
	return rune(n), ok
}

// percentEscape emits the %XX escape at b[i:] and returns its length, or 0.
func (e *emitter) percentEscape(b []byte, i int) int {
	if i+2 >= len(b) {
		return 0
	}
	n, ok := parseHex(b[i+1 : i+3])
	if !ok {
		return 0
	}
	e.emitByte(byte(n), i, i+3)
	return 3
}

// parseHex reads hex digits, either case (no sign, no prefix).
func parseHex(digits []byte) (uint32, bool) {
	var n uint32
	for _, c := range digits {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		n = n<<4 | uint32(c)
	}
	return n, true
}

// mergeSpans sorts spans and merges those that overlap or touch.
func mergeSpans(spans []span) []span {
	if len(spans) == 0 {
		return nil
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	out := spans[:1]
	for _, sp := range spans[1:] {
		last := &out[len(out)-1]
		if sp.start <= last.end {
			last.end = max(last.end, sp.end)
			continue
		}
		out = append(out, sp)
	}
	return out
}
