package graphsim

import (
	"encoding/json"
	"mime"
	"net/url"
)

const (
	messagingProduct = "whatsapp"
	contentTypeForm  = "application/x-www-form-urlencoded"
)

// decodeBody decodes a JSON body into v; a form-encoded body (Meta accepts
// both) is decoded into the same keys. An empty body leaves v alone.
func decodeBody(req *request, v any) *metaError {
	if len(req.body) == 0 {
		return nil
	}
	raw := req.body
	if ct, _, _ := mime.ParseMediaType(req.r.Header.Get("Content-Type")); ct == contentTypeForm {
		form, err := url.ParseQuery(string(req.body))
		if err != nil {
			return errInvalidParam("Invalid form body", "", "")
		}
		flat := map[string]string{}
		for k := range form {
			flat[k] = form.Get(k)
		}
		raw, _ = json.Marshal(flat)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return errInvalidParam("Invalid JSON in request body", "", "")
	}
	return nil
}

// success is Meta's {"success": true}.
func success() map[string]bool { return map[string]bool{"success": true} }

func errParamRequired(name string) *metaError {
	return errInvalidParam("The parameter "+name+" is required", "", "")
}

// digits returns the decimal digits of s.
func digits(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			out = append(out, s[i])
		}
	}
	return string(out)
}
