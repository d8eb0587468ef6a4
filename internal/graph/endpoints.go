package graph

// Logical endpoints: the value of Error.Endpoint and of the "endpoint" label
// on every metric. They name an action, never an object, so metric
// cardinality stays fixed. The simulator (graphsim) counts calls under the
// same names.
const (
	EndpointGetBusinessAccount    = "get_business_account"
	EndpointListPhoneNumbers      = "list_phone_numbers"
	EndpointGetPhoneNumber        = "get_phone_number"
	EndpointRegisterPhoneNumber   = "register_phone_number"
	EndpointGetBusinessProfile    = "get_business_profile"
	EndpointUpdateBusinessProfile = "update_business_profile"
	EndpointListSubscribedApps    = "list_subscribed_apps"
	EndpointSubscribeApp          = "subscribe_app"
	EndpointUnsubscribeApp        = "unsubscribe_app"
	EndpointDebugToken            = "debug_token"
	EndpointListTemplates         = "list_templates"
	EndpointGetTemplate           = "get_template"
	EndpointCreateTemplate        = "create_template"
	EndpointEditTemplate          = "edit_template"
	EndpointDeleteTemplate        = "delete_template"
	EndpointSendMessage           = "send_message"
	EndpointUploadMedia           = "upload_media"
	EndpointCreateUploadSession   = "create_upload_session"
	EndpointUploadFile            = "upload_file"
)
