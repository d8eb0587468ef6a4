package graphsim

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
)

const maxMediaBytes = 100 << 20

// handleUploadMedia serves POST /{phone-number-id}/media: a multipart form
// with messaging_product=whatsapp, type (MIME) and file; it answers the id.
func (s *Server) handleUploadMedia(req *request) (any, *metaError) {
	_, params, err := mime.ParseMediaType(req.r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return nil, errParamRequired("file")
	}
	form, err := multipart.NewReader(bytes.NewReader(req.body), params["boundary"]).ReadForm(maxMediaBytes)
	if err != nil {
		return nil, errInvalidParam("Invalid multipart body", "", "")
	}
	defer func() { _ = form.RemoveAll() }()
	if first(form.Value["messaging_product"]) != messagingProduct {
		return nil, errParamRequired("messaging_product")
	}
	mimeType := first(form.Value["type"])
	files := form.File["file"]
	if mimeType == "" || len(files) == 0 {
		return nil, errParamRequired("file")
	}
	f, err := files[0].Open()
	if err != nil {
		return nil, errParamRequired("file")
	}
	defer func() { _ = f.Close() }()
	data, _ := io.ReadAll(f)
	sum := sha256.Sum256(data)
	m := Media{
		ID: s.newIDLocked(kindMedia), PhoneNumberID: req.route.object, MIMEType: mimeType,
		Filename: files[0].Filename, Size: len(data), SHA256: base64.StdEncoding.EncodeToString(sum[:]),
	}
	s.media[m.ID] = m
	s.mediaBytes.keep(m.ID, data)
	return map[string]string{"id": m.ID}, nil
}

// Media returns an uploaded media file's record.
func (s *Server) Media(id string) (Media, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.media[id]
	return m, ok
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}
