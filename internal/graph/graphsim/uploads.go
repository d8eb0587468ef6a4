package graphsim

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Resumable Upload API: POST /{app-id}/uploads opens a session for a
// file of a given length and type; POST /upload:{session} with the header
// file_offset sends the bytes and answers the file handle h, which a
// template's media header names in example.header_handle. Meta refuses a
// header_handle it did not issue; so does the simulator.
const (
	uploadSessionPrefix = "upload:"
	maxUploadBytes      = 100 << 20
	// handleLifetime is how long a handle stays usable; Meta writes its
	// expiry into the handle (":e:<unix>:").
	handleLifetime = 30 * 24 * time.Hour
)

// uploadTypes are the file types the Resumable Upload API takes.
var uploadTypes = map[string]bool{"application/pdf": true, "image/jpeg": true, "image/jpg": true, "image/png": true, "video/mp4": true}

// headerTypes are the upload types a media header of each format accepts.
var headerTypes = map[string]map[string]bool{
	"IMAGE":    {"image/jpeg": true, "image/jpg": true, "image/png": true},
	"VIDEO":    {"video/mp4": true},
	"DOCUMENT": {"application/pdf": true},
}

// uploadState holds the sessions and the handles issued.
type uploadState struct {
	sessions map[string]*uploadSession
	files    map[string]UploadedFile
}

type uploadSession struct {
	appID, fileName, fileType, sig string
	length                         int
}

// UploadedFile is a file uploaded through the Resumable Upload API.
type UploadedFile struct {
	Handle    string    `json:"handle"`
	AppID     string    `json:"appID"`
	FileName  string    `json:"fileName"`
	FileType  string    `json:"fileType"`
	Size      int       `json:"size"`
	SHA256    string    `json:"sha256"`
	ExpiresAt time.Time `json:"expiresAt"`
}

func (u *uploadState) init() {
	if u.sessions == nil {
		u.sessions, u.files = map[string]*uploadSession{}, map[string]UploadedFile{}
	}
}

// appRoute routes /{app-id}/{edge}: any valid token of that app.
func (s *Server) appRoute(endpoint, id string, h func(*request) (any, *metaError)) route {
	rt := route{endpoint: endpoint, object: id, handle: h}
	if _, ok := s.apps[id]; !ok {
		rt.err = errUnsupported(http.MethodPost, id)
	}
	return rt
}

// uploadRoute routes /upload:{session}.
func (s *Server) uploadRoute(method, id string) route {
	if method != http.MethodPost && method != http.MethodGet {
		return route{endpoint: EndpointUnknown, err: errUnsupported(method, id)}
	}
	rt := route{endpoint: EndpointUploadFile, object: id, handle: s.handleUploadFile}
	s.uploads.init()
	if _, ok := s.uploads.sessions[id]; !ok {
		rt.err = errUnsupported(method, id)
	}
	return rt
}

// handleCreateUploadSession serves POST /{app-id}/uploads.
func (s *Server) handleCreateUploadSession(req *request) (any, *metaError) {
	appID := req.route.object
	if req.token.AppID != appID {
		return nil, errUnsupported(http.MethodPost, appID)
	}
	q := req.r.URL.Query()
	length, err := strconv.Atoi(q.Get("file_length"))
	if err != nil || length <= 0 || length > maxUploadBytes {
		return nil, errInvalidParam("Invalid parameter", "Invalid file length", fmt.Sprintf("file_length must be between 1 and %d bytes.", maxUploadBytes))
	}
	fileType := q.Get("file_type")
	if !uploadTypes[fileType] {
		return nil, errInvalidParam("Invalid parameter", "Invalid file type", "file_type must be application/pdf, image/jpeg, image/jpg, image/png or video/mp4.")
	}
	s.uploads.init()
	id := uploadSessionPrefix + base64.RawURLEncoding.EncodeToString([]byte(s.newIDLocked("upload")))
	sig := s.randomTokenLocked()
	s.uploads.sessions[id] = &uploadSession{appID: appID, fileName: q.Get("file_name"), fileType: fileType, length: length, sig: sig}
	return map[string]string{"id": id + "?sig=" + sig}, nil
}

// handleUploadFile serves POST /upload:{session} (the bytes, from
// file_offset 0, in one request) and GET (the session's offset).
func (s *Server) handleUploadFile(req *request) (any, *metaError) {
	sess := s.uploads.sessions[req.route.object]
	if req.r.URL.Query().Get("sig") != sess.sig || req.token.AppID != sess.appID {
		return nil, errUnsupported(req.r.Method, req.route.object)
	}
	if req.r.Method == http.MethodGet {
		return map[string]any{"id": req.route.object, "file_offset": 0}, nil
	}
	if !strings.HasPrefix(strings.ToLower(req.r.Header.Get("Authorization")), "oauth ") {
		return nil, errInvalidParam("Invalid parameter", "Invalid authorization", "The access token must be sent as Authorization: OAuth <token>.")
	}
	if req.r.Header.Get("file_offset") != "0" {
		return nil, errParamRequired("file_offset")
	}
	if len(req.body) != sess.length {
		return nil, errInvalidParam("Invalid parameter", "File length mismatch",
			fmt.Sprintf("The upload has %d bytes; the session was opened for %d.", len(req.body), sess.length))
	}
	sum := sha256.Sum256(req.body)
	expires := s.now().Add(handleLifetime)
	handle := fmt.Sprintf("4:%s:%s:%s:e:%d:%s", base64.StdEncoding.EncodeToString([]byte(sess.fileName)), sess.fileType,
		s.randomTokenLocked(), expires.Unix(), s.randomTokenLocked())
	s.uploads.files[handle] = UploadedFile{Handle: handle, AppID: sess.appID, FileName: sess.fileName, FileType: sess.fileType,
		Size: len(req.body), SHA256: hex.EncodeToString(sum[:]), ExpiresAt: expires}
	delete(s.uploads.sessions, req.route.object)
	return map[string]string{"h": handle}, nil
}

// randomTokenLocked returns 16 random URL-safe characters.
func (s *Server) randomTokenLocked() string {
	b := make([]byte, 12)
	for i := range b {
		b[i] = byte(s.rng.Uint32())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// checkMediaHeaderLocked refuses a media header whose header_handle this
// simulator did not issue to the app, has expired, or holds a file of
// another type than the header's format.
func (s *Server) checkMediaHeaderLocked(appID string, raw json.RawMessage) *metaError {
	var comps []ruleComponent
	if err := json.Unmarshal(raw, &comps); err != nil {
		return errParamRequired("components")
	}
	s.uploads.init()
	for _, c := range comps {
		allowed, media := headerTypes[strings.ToUpper(c.Format)]
		if !strings.EqualFold(c.Type, "HEADER") || !media {
			continue
		}
		var example struct {
			HeaderHandle []string `json:"header_handle"`
		}
		if len(c.Example) > 0 {
			_ = json.Unmarshal(c.Example, &example)
		}
		if len(example.HeaderHandle) == 0 {
			return errTemplateRule("Invalid media header", "A media header needs example.header_handle: a handle from the Resumable Upload API.")
		}
		f, ok := s.uploads.files[example.HeaderHandle[0]]
		if !ok || f.AppID != appID || !s.now().Before(f.ExpiresAt) {
			return errTemplateRule("Invalid media handle", "The header_handle is not a file handle the Resumable Upload API issued to this app (or it expired): upload the sample with POST /{app-id}/uploads and use the h it answers.")
		}
		if !allowed[f.FileType] {
			return errTemplateRule("Invalid media handle", fmt.Sprintf("A %s header can't use a file of type %s.", strings.ToUpper(c.Format), f.FileType))
		}
	}
	return nil
}

// Uploads returns the files uploaded through the Resumable Upload API.
func (s *Server) Uploads() []UploadedFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.uploads.init()
	out := make([]UploadedFile, 0, len(s.uploads.files))
	for _, f := range s.uploads.files {
		out = append(out, f)
	}
	return out
}
