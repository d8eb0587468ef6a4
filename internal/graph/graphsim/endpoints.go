package graphsim

// Logical endpoints the simulator counts calls under. They equal the graph
// client's Endpoint* constants.
const (
	// EndpointGetBusinessAccount is GET /{waba-id}.
	EndpointGetBusinessAccount = "get_business_account"
	// EndpointListPhoneNumbers is GET /{waba-id}/phone_numbers.
	EndpointListPhoneNumbers = "list_phone_numbers"
	// EndpointGetPhoneNumber is GET /{phone-number-id}.
	EndpointGetPhoneNumber = "get_phone_number"
	// EndpointRegisterPhoneNumber is POST /{phone-number-id}/register.
	EndpointRegisterPhoneNumber = "register_phone_number"
	// EndpointGetBusinessProfile is GET /{phone-number-id}/whatsapp_business_profile.
	EndpointGetBusinessProfile = "get_business_profile"
	// EndpointUpdateBusinessProfile is POST /{phone-number-id}/whatsapp_business_profile.
	EndpointUpdateBusinessProfile = "update_business_profile"
	// EndpointListSubscribedApps is GET /{waba-id}/subscribed_apps.
	EndpointListSubscribedApps = "list_subscribed_apps"
	// EndpointSubscribeApp is POST /{waba-id}/subscribed_apps.
	EndpointSubscribeApp = "subscribe_app"
	// EndpointUnsubscribeApp is DELETE /{waba-id}/subscribed_apps.
	EndpointUnsubscribeApp = "unsubscribe_app"
	// EndpointDebugToken is GET /debug_token.
	EndpointDebugToken = "debug_token"
	// EndpointListTemplates is GET /{waba-id}/message_templates.
	EndpointListTemplates = "list_templates"
	// EndpointGetTemplate is GET /{template-id}.
	EndpointGetTemplate = "get_template"
	// EndpointCreateTemplate is POST /{waba-id}/message_templates.
	EndpointCreateTemplate = "create_template"
	// EndpointEditTemplate is POST /{template-id}.
	EndpointEditTemplate = "edit_template"
	// EndpointDeleteTemplate is DELETE /{waba-id}/message_templates.
	EndpointDeleteTemplate = "delete_template"
	// EndpointSendMessage is POST /{phone-number-id}/messages.
	EndpointSendMessage = "send_message"
	// EndpointUploadMedia is POST /{phone-number-id}/media.
	EndpointUploadMedia = "upload_media"
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
