package graphsim

import "github.com/kubechat/whatsapp-operator/internal/graph"

// Logical endpoints the simulator counts calls under: the graph client's
// own names, so a test counts a call under the name the client's metrics
// and errors use.
const (
	// EndpointGetBusinessAccount is GET /{waba-id}.
	EndpointGetBusinessAccount = graph.EndpointGetBusinessAccount
	// EndpointListPhoneNumbers is GET /{waba-id}/phone_numbers.
	EndpointListPhoneNumbers = graph.EndpointListPhoneNumbers
	// EndpointGetPhoneNumber is GET /{phone-number-id}.
	EndpointGetPhoneNumber = graph.EndpointGetPhoneNumber
	// EndpointRegisterPhoneNumber is POST /{phone-number-id}/register.
	EndpointRegisterPhoneNumber = graph.EndpointRegisterPhoneNumber
	// EndpointGetBusinessProfile is GET /{phone-number-id}/whatsapp_business_profile.
	EndpointGetBusinessProfile = graph.EndpointGetBusinessProfile
	// EndpointUpdateBusinessProfile is POST /{phone-number-id}/whatsapp_business_profile.
	EndpointUpdateBusinessProfile = graph.EndpointUpdateBusinessProfile
	// EndpointListSubscribedApps is GET /{waba-id}/subscribed_apps.
	EndpointListSubscribedApps = graph.EndpointListSubscribedApps
	// EndpointSubscribeApp is POST /{waba-id}/subscribed_apps.
	EndpointSubscribeApp = graph.EndpointSubscribeApp
	// EndpointUnsubscribeApp is DELETE /{waba-id}/subscribed_apps.
	EndpointUnsubscribeApp = graph.EndpointUnsubscribeApp
	// EndpointDebugToken is GET /debug_token.
	EndpointDebugToken = graph.EndpointDebugToken
	// EndpointListTemplates is GET /{waba-id}/message_templates.
	EndpointListTemplates = graph.EndpointListTemplates
	// EndpointGetTemplate is GET /{template-id}.
	EndpointGetTemplate = graph.EndpointGetTemplate
	// EndpointCreateTemplate is POST /{waba-id}/message_templates.
	EndpointCreateTemplate = graph.EndpointCreateTemplate
	// EndpointEditTemplate is POST /{template-id}.
	EndpointEditTemplate = graph.EndpointEditTemplate
	// EndpointDeleteTemplate is DELETE /{waba-id}/message_templates.
	EndpointDeleteTemplate = graph.EndpointDeleteTemplate
	// EndpointSendMessage is POST /{phone-number-id}/messages.
	EndpointSendMessage = graph.EndpointSendMessage
	// EndpointUploadMedia is POST /{phone-number-id}/media.
	EndpointUploadMedia = graph.EndpointUploadMedia
	// EndpointCreateUploadSession is POST /{app-id}/uploads (Resumable
	// Upload API).
	EndpointCreateUploadSession = graph.EndpointCreateUploadSession
	// EndpointUploadFile is POST (and GET) /upload:{session}.
	EndpointUploadFile = graph.EndpointUploadFile
	// EndpointUnknown counts requests no endpoint above matches.
	EndpointUnknown = "unknown"
)

// Calls returns how many requests reached endpoint (an Endpoint* constant),
// failed ones and injected faults included.
func (s *Server) Calls(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[endpoint]
}

// TotalCalls returns how many Graph API requests arrived (control calls
// under /_sim/ excluded).
func (s *Server) TotalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// CallCounts returns a copy of the per-endpoint counters.
func (s *Server) CallCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// ResetCalls zeroes every counter.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
	s.total = 0
}
