package graphsim

import (
	"net/http"
	"regexp"
	"strings"
)

// Object kinds, for routing /{id}.
const (
	kindWABA     = "waba"
	kindPhone    = "phone"
	kindTemplate = "template"
	kindMedia    = "media"
)

// authKind says how a route authenticates.
type authKind int

const (
	authToken authKind = iota // Bearer header or access_token query parameter
	authDebug                 // debug_token: an app token or any valid token
)

// request is one Graph API request being served.
type request struct {
	r       *http.Request
	body    []byte
	route   route
	token   *Token
	scratch any // set by a route's prepare for its handle
}

// route is a resolved request: its logical endpoint, the WABA it touches and
// what serves it.
type route struct {
	endpoint string
	waba     string
	object   string
	scope    string
	auth     authKind
	err      *metaError // set when the path names no usable object
	prepare  func(*request) *metaError
	handle   func(*request) (any, *metaError)
}

var versionSegment = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

// splitVersioned splits "/v25.0/a/b" into ["a","b"].
func splitVersioned(path string) ([]string, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) < 2 || !versionSegment.MatchString(segs[0]) {
		return nil, false
	}
	return segs[1:], true
}

// resolveLocked maps method and path to a route. s.mu must be held.
func (s *Server) resolveLocked(method, path string) route {
	segs, ok := splitVersioned(path)
	if !ok || len(segs) > 2 {
		return route{endpoint: EndpointUnknown, err: errUnknownPath(path)}
	}
	id := segs[0]
	if len(segs) == 1 {
		return s.resolveNodeLocked(method, id)
	}
	return s.resolveEdgeLocked(method, id, segs[1])
}

// resolveNodeLocked routes /{id} and /debug_token.
func (s *Server) resolveNodeLocked(method, id string) route {
	if id == "debug_token" && method == http.MethodGet {
		return route{endpoint: EndpointDebugToken, auth: authDebug, handle: s.handleDebugToken}
	}
	if strings.HasPrefix(id, uploadSessionPrefix) {
		return s.uploadRoute(method, id)
	}
	switch kind := s.kinds[id]; {
	case kind == kindWABA && method == http.MethodGet:
		return s.wabaRoute(EndpointGetBusinessAccount, id, ScopeManagement, s.handleGetWABA)
	case kind == kindPhone && method == http.MethodGet:
		return s.phoneRoute(EndpointGetPhoneNumber, id, ScopeManagement, s.handleGetPhone)
	case kind == kindTemplate && method == http.MethodGet:
		return s.templateRoute(EndpointGetTemplate, id, s.handleGetTemplate)
	case kind == kindTemplate && method == http.MethodPost:
		return s.templateRoute(EndpointEditTemplate, id, s.handleEditTemplate)
	}
	return route{endpoint: EndpointUnknown, err: errUnsupported(method, id)}
}

// resolveEdgeLocked routes /{id}/{edge}.
func (s *Server) resolveEdgeLocked(method, id, edge string) route {
	type key struct{ edge, method string }
	switch (key{edge, method}) {
	case key{"phone_numbers", http.MethodGet}:
		return s.wabaRoute(EndpointListPhoneNumbers, id, ScopeManagement, s.handleListPhones)
	case key{"subscribed_apps", http.MethodGet}:
		return s.wabaRoute(EndpointListSubscribedApps, id, ScopeManagement, s.handleListSubscriptions)
	case key{"subscribed_apps", http.MethodPost}:
		rt := s.wabaRoute(EndpointSubscribeApp, id, ScopeManagement, s.handleSubscribe)
		rt.prepare = s.prepareSubscribe
		return rt
	case key{"subscribed_apps", http.MethodDelete}:
		return s.wabaRoute(EndpointUnsubscribeApp, id, ScopeManagement, s.handleUnsubscribe)
	case key{"message_templates", http.MethodGet}:
		return s.wabaRoute(EndpointListTemplates, id, ScopeManagement, s.handleListTemplates)
	case key{"message_templates", http.MethodPost}:
		return s.wabaRoute(EndpointCreateTemplate, id, ScopeManagement, s.handleCreateTemplate)
	case key{"message_templates", http.MethodDelete}:
		return s.wabaRoute(EndpointDeleteTemplate, id, ScopeManagement, s.handleDeleteTemplate)
	case key{"register", http.MethodPost}:
		return s.phoneRoute(EndpointRegisterPhoneNumber, id, ScopeManagement, s.handleRegister)
	case key{"whatsapp_business_profile", http.MethodGet}:
		return s.phoneRoute(EndpointGetBusinessProfile, id, ScopeManagement, s.handleGetProfile)
	case key{"whatsapp_business_profile", http.MethodPost}:
		return s.phoneRoute(EndpointUpdateBusinessProfile, id, ScopeManagement, s.handleUpdateProfile)
	case key{"messages", http.MethodPost}:
		return s.phoneRoute(EndpointSendMessage, id, ScopeMessaging, s.handleSendMessage)
	case key{"media", http.MethodPost}:
		return s.phoneRoute(EndpointUploadMedia, id, ScopeMessaging, s.handleUploadMedia)
	case key{"uploads", http.MethodPost}:
		return s.appRoute(EndpointCreateUploadSession, id, s.handleCreateUploadSession)
	}
	if s.kinds[id] == "" {
		return route{endpoint: EndpointUnknown, err: errUnsupported(method, id)}
	}
	return route{endpoint: EndpointUnknown, err: errNonexistingField(edge, s.kinds[id])}
}

func (s *Server) wabaRoute(endpoint, id, scope string, h func(*request) (any, *metaError)) route {
	rt := route{endpoint: endpoint, waba: id, object: id, scope: scope, handle: h}
	if _, ok := s.wabas[id]; !ok {
		rt.err = s.wrongObjectLocked(id, kindWABA)
	}
	return rt
}

func (s *Server) phoneRoute(endpoint, id, scope string, h func(*request) (any, *metaError)) route {
	rt := route{endpoint: endpoint, object: id, scope: scope, handle: h}
	if p, ok := s.phones[id]; ok {
		rt.waba = p.wabaID
	} else {
		rt.err = s.wrongObjectLocked(id, kindPhone)
	}
	return rt
}

func (s *Server) templateRoute(endpoint, id string, h func(*request) (any, *metaError)) route {
	rt := route{endpoint: endpoint, object: id, scope: ScopeManagement, handle: h}
	if t, ok := s.templates[id]; ok {
		rt.waba = t.WABAID
	} else {
		rt.err = s.wrongObjectLocked(id, kindTemplate)
	}
	return rt
}

// wrongObjectLocked is the error for an id that is not a live object of
// kind want: Meta's "does not exist, cannot be loaded due to missing
// permissions, or does not support this operation".
func (s *Server) wrongObjectLocked(id, want string) *metaError {
	_ = want
	return errUnsupported(http.MethodGet, id)
}
