package relay

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzReadUpload feeds arbitrary multipart bodies to the upload reader.
// It must never panic, and an upload it accepts is rebuilt as Meta's form:
// messaging_product whatsapp, a type WhatsApp takes, and the file within
// that type's limit.
func FuzzReadUpload(f *testing.F) {
	seed := func(mimeType string, file []byte) []byte {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		_ = w.SetBoundary("fuzzboundary")
		_ = w.WriteField("messaging_product", "whatsapp")
		_ = w.WriteField("type", mimeType)
		p, _ := w.CreateFormFile("file", "f")
		_, _ = p.Write(file)
		_ = w.Close()
		return buf.Bytes()
	}
	f.Add(seed("image/png", []byte("\x89PNG\r\n\x1a\n....")), "fuzzboundary")
	f.Add(seed("application/pdf", []byte("%PDF-1.7 ...")), "fuzzboundary")
	f.Add(seed("text/plain", []byte("hello")), "fuzzboundary")
	f.Add(seed("image/jpeg", []byte("<html>")), "fuzzboundary")
	f.Add([]byte("--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc\r\n--x--\r\n"), "x")
	f.Fuzz(func(t *testing.T, body []byte, boundary string) {
		req := httptest.NewRequest(http.MethodPost, "/v25.0/1/media", bytes.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		up, merr := readUpload(req)
		if merr != nil {
			if up != nil || merr.status != http.StatusBadRequest || merr.message == "" {
				t.Fatalf("a refusal is a 400 with a message: %+v", merr)
			}
			return
		}
		if limit := uploadLimit(up.mimeType); limit == 0 || up.size > limit || up.size == 0 {
			t.Fatalf("accepted %s of %d bytes", up.mimeType, up.size)
		}
		_, params, err := mime.ParseMediaType(up.contentType)
		if err != nil {
			t.Fatal(err)
		}
		form, err := multipart.NewReader(bytes.NewReader(up.form), params["boundary"]).ReadForm(int64(len(up.form)) + 1024)
		if err != nil {
			t.Fatalf("the rebuilt form does not parse: %v", err)
		}
		if form.Value["messaging_product"][0] != "whatsapp" || form.Value["type"][0] != up.mimeType || len(form.File["file"]) != 1 {
			t.Fatalf("the rebuilt form lacks Meta's fields: %v", form.Value)
		}
		fh, _ := form.File["file"][0].Open()
		n, _ := io.Copy(io.Discard, fh)
		if n != up.size {
			t.Fatalf("the rebuilt file has %d bytes, read %d", n, up.size)
		}
	})
}
