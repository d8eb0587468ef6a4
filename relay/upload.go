package relay

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
)

// Form fields of Meta's media upload.
const (
	formMessagingProduct = "messaging_product"
	formType             = "type"
	formFile             = "file"
	maxFormField         = 256
	sniffLen             = 512
)

// upload is a chatbot's media upload, rebuilt as the form Meta gets while
// it is read, so that the file is held in memory once.
type upload struct {
	form        []byte
	contentType string
	mimeType    string
	size        int64
}

// readUpload reads a multipart upload (messaging_product, type, file) of at
// most maxUploadBytes of file, checks the file against WhatsApp's media
// rules by its declared type, its sniffed content and its size, and builds
// the form to send. Nothing is sent when it refuses.
func readUpload(r *http.Request) (*upload, *metaError) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, badRequest("a media upload is multipart/form-data with the fields messaging_product, type and file")
	}
	var out bytes.Buffer
	w := multipart.NewWriter(&out)
	var product, declared, partType, sniffed string
	var size int64
	haveFile := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, badRequest("the multipart body cannot be read: " + truncate(err.Error(), 120))
		}
		switch part.FormName() {
		case formMessagingProduct:
			product = readField(part)
		case formType:
			declared = readField(part)
		case formFile:
			if haveFile {
				return nil, badRequest("the upload has more than one file")
			}
			haveFile = true
			partType = part.Header.Get("Content-Type")
			size, sniffed, err = copyFile(w, part)
			if err != nil {
				var merr *metaError
				if errors.As(err, &merr) {
					return nil, merr
				}
				return nil, badRequest("the file cannot be read: " + truncate(err.Error(), 120))
			}
		}
		_ = part.Close()
	}
	switch {
	case product != "whatsapp":
		return nil, missing(formMessagingProduct, `messaging_product must be "whatsapp"`)
	case !haveFile || size == 0:
		return nil, missing(formFile, "the upload has no file, or an empty one")
	}
	mimeType := baseMIME(declared)
	if mimeType == "" {
		mimeType = baseMIME(partType)
	}
	if merr := checkUpload(mimeType, sniffed, size); merr != nil {
		return nil, merr
	}
	_ = w.WriteField(formMessagingProduct, "whatsapp")
	_ = w.WriteField(formType, mimeType)
	if err := w.Close(); err != nil {
		return nil, badRequest("the upload cannot be rebuilt")
	}
	return &upload{form: out.Bytes(), contentType: w.FormDataContentType(), mimeType: mimeType, size: size}, nil
}

// checkUpload holds a file to the media rules.
func checkUpload(mimeType, sniffed string, size int64) *metaError {
	if mimeType == "" {
		return missing(formType, "the upload names the file's MIME type (type, or the file part's Content-Type)")
	}
	limit := uploadLimit(mimeType)
	if limit == 0 {
		return invalid("type %s is not a media type WhatsApp accepts: image %s; video %s; audio %s; document %s; sticker %s",
			mimeType, mediaRules[kindImage].label, mediaRules[kindVideo].label, mediaRules[kindAudio].label, mediaRules[kindDocument].label, mediaRules[kindSticker].label)
	}
	if sniffContradicts(mimeType, sniffed) {
		return invalid("the file's content is %s, not the %s its type says", baseMIME(sniffed), mimeType)
	}
	if size > limit {
		return invalid("the file has %d bytes: %s files are at most %d bytes (%d MB)", size, mimeType, limit, limit/mb)
	}
	return nil
}

// readField reads a small form field.
func readField(p *multipart.Part) string {
	b, _ := io.ReadAll(io.LimitReader(p, maxFormField))
	return strings.TrimSpace(string(b))
}

// copyFile writes the file part into the outgoing form, up to
// maxUploadBytes (one byte more is refused), and sniffs its first bytes.
func copyFile(w *multipart.Writer, p *multipart.Part) (int64, string, error) {
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, safeFilename(p.FileName())))
	if ct := p.Header.Get("Content-Type"); ct != "" {
		h.Set("Content-Type", ct)
	}
	dst, err := w.CreatePart(h)
	if err != nil {
		return 0, "", err
	}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(p, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return 0, "", err
	}
	head = head[:n]
	sniffed := http.DetectContentType(head)
	if _, err := dst.Write(head); err != nil {
		return 0, "", err
	}
	rest, err := io.Copy(dst, io.LimitReader(p, maxUploadBytes+1-int64(n)))
	if err != nil {
		return 0, "", err
	}
	size := int64(n) + rest
	if size > maxUploadBytes {
		return 0, "", invalid("the file is larger than %d MB, the most WhatsApp accepts of any media", maxUploadBytes/mb)
	}
	return size, sniffed, nil
}

// safeFilename keeps a filename from breaking the part header.
func safeFilename(name string) string {
	if name == "" {
		name = "file"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, truncate(name, 200))
}
