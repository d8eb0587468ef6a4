package mediafetch

import "strings"

// Kind is a media header format with what its sample may be.
type Kind struct {
	// Format is the header format: IMAGE, VIDEO or DOCUMENT.
	Format string
	// MaxBytes bounds the sample's size.
	MaxBytes int64
	// Types are the MIME types Meta's upload API takes for it.
	Types []string
}

// The header formats with a media sample. Images keep Meta's 5 MB limit
// for images; a video or document sample for reviewers needs no more than
// 16 MiB, and the operator's memory bounds it (docs/decisions/010).
var (
	Image    = Kind{Format: "IMAGE", MaxBytes: 5 << 20, Types: []string{"image/jpeg", "image/png"}}
	Video    = Kind{Format: "VIDEO", MaxBytes: 16 << 20, Types: []string{"video/mp4"}}
	Document = Kind{Format: "DOCUMENT", MaxBytes: 16 << 20, Types: []string{"application/pdf"}}
)

// KindOf returns the Kind of a header format; ok is false for formats
// without a media sample (TEXT, LOCATION).
func KindOf(format string) (Kind, bool) {
	switch strings.ToUpper(format) {
	case Image.Format:
		return Image, true
	case Video.Format:
		return Video, true
	case Document.Format:
		return Document, true
	}
	return Kind{}, false
}

// accepts returns the canonical MIME type when t is one of k's types.
func (k Kind) accepts(t string) (string, bool) {
	t = strings.ToLower(strings.TrimSpace(t))
	if t == "image/jpg" {
		t = "image/jpeg"
	}
	for _, want := range k.Types {
		if t == want {
			return t, true
		}
	}
	return "", false
}
