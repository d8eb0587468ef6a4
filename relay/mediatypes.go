package relay

import (
	"mime"
	"strings"
)

// Media kinds of a message (its type field).
const (
	kindImage    = "image"
	kindVideo    = "video"
	kindAudio    = "audio"
	kindDocument = "document"
	kindSticker  = "sticker"
)

const (
	kb = 1 << 10
	mb = 1 << 20
)

// mediaRule is what WhatsApp accepts for one kind of media.
type mediaRule struct {
	mimes []string
	// max bytes; for stickers the animated limit (a HEAD cannot tell).
	max int64
	// label renders the rule in an error message.
	label string
}

// mediaRules are WhatsApp's media limits (graph-api-notes A7.4, issue 8).
var mediaRules = map[string]mediaRule{
	kindImage: {mimes: []string{"image/jpeg", "image/png", "image/webp"}, max: 5 * mb, label: "JPG, PNG or WEBP, at most 5 MB"},
	kindVideo: {mimes: []string{"video/mp4", "video/3gpp"}, max: 16 * mb, label: "MP4 or 3GP, at most 16 MB"},
	kindAudio: {mimes: []string{"audio/aac", "audio/mp4", "audio/mpeg", "audio/amr", "audio/ogg"}, max: 16 * mb, label: "AAC, MP4, MPEG, AMR or OGG, at most 16 MB"},
	kindDocument: {mimes: []string{
		"application/pdf", "text/plain",
		"application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	}, max: 100 * mb, label: "PDF, DOC(X), XLS(X), PPT(X) or TXT, at most 100 MB"},
	kindSticker: {mimes: []string{"image/webp"}, max: 500 * kb, label: "WEBP, at most 100 KB (500 KB animated)"},
}

// maxUploadBytes is the largest file any kind accepts.
const maxUploadBytes = 100 * mb

// baseMIME returns the media type without parameters, lower-cased; "" when
// unparsable.
func baseMIME(contentType string) string {
	if contentType == "" {
		return ""
	}
	t, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return strings.ToLower(t)
}

// accepts reports whether rule takes the media type.
func (r mediaRule) accepts(mimeType string) bool {
	for _, m := range r.mimes {
		if m == mimeType {
			return true
		}
	}
	return false
}

// uploadLimit is the largest file of mimeType any kind accepts, 0 when no
// kind accepts it.
func uploadLimit(mimeType string) int64 {
	var limit int64
	for _, r := range mediaRules {
		if r.accepts(mimeType) && r.max > limit {
			limit = r.max
		}
	}
	if mimeType == "image/webp" {
		limit = mediaRules[kindImage].max // an image, or a sticker checked when sent
	}
	return limit
}

// sniffContradicts reports whether the sniffed content type (Go's
// http.DetectContentType) shows that a file is not of the declared type.
// Unknown or container-level answers (octet-stream, zip, ogg, mp4 boxes)
// contradict nothing.
func sniffContradicts(declared, sniffed string) bool {
	sniffed = baseMIME(sniffed)
	switch sniffed {
	case "", "application/octet-stream":
		return false
	case "application/zip":
		return !strings.Contains(declared, "openxmlformats")
	case "application/ogg":
		return declared != "audio/ogg"
	case "video/mp4":
		return declared != "video/mp4" && declared != "audio/mp4" && declared != "video/3gpp"
	case "text/plain":
		return declared != "text/plain"
	}
	return sniffed != declared
}
