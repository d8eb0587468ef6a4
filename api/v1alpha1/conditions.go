package v1alpha1

// Condition types shared by every kind. Ready is always present once an
// object has been seen; Reconciling and Stalled are present only while True.
const (
	// ConditionReady is True when everything the spec asks for holds at Meta
	// and in the cluster.
	ConditionReady = "Ready"
	// ConditionReconciling is True while work is under way or Meta is still
	// deciding (a template in review).
	ConditionReconciling = "Reconciling"
	// ConditionStalled is True when the object cannot progress without a
	// human; the message says what to do.
	ConditionStalled = "Stalled"
)

// Kind-specific condition types.
const (
	// ConditionCredentialsValid (MetaProvider): the Secret is complete and the
	// token reaches the WhatsApp Business Account.
	ConditionCredentialsValid = "CredentialsValid"
	// ConditionAppSubscribed (MetaProvider): our app is in the WABA's
	// subscribed_apps, so Meta delivers its webhooks.
	ConditionAppSubscribed = "AppSubscribed"
	// ConditionWebhookReady (MetaProvider): the managed webhook Deployment has
	// ready replicas.
	ConditionWebhookReady = "WebhookReady"
	// ConditionRelayReady (MetaProvider): the managed relay Deployment has
	// ready replicas. True with reason FallbackTemplateUnavailable when the
	// relay runs but cannot fall back to new_bot_message outside the
	// 24-hour window.
	ConditionRelayReady = "RelayReady"
	// ConditionPhoneNumberVerified (WhatsAppChannel): the number is in the
	// WABA and its id is known.
	ConditionPhoneNumberVerified = "PhoneNumberVerified"
	// ConditionRouted (WhatsAppChannel): the chatbot target resolves and the
	// number is bound to this channel alone.
	ConditionRouted = "Routed"
	// ConditionRegistered (WhatsAppChannel): Meta reports the number
	// registered on the Cloud API; False says what registration waits for.
	ConditionRegistered = "Registered"
	// ConditionProfileSynced (WhatsAppChannel): the business profile at Meta
	// equals spec.profile (True with reason NotManaged when there is none).
	ConditionProfileSynced = "ProfileSynced"
	// ConditionSubmitted (MessageTemplate): Meta holds the template as specified.
	ConditionSubmitted = "Submitted"
)

// Condition reasons: one CamelCase vocabulary for every kind. They are part
// of the API: alerts and scripts match on them.
const (
	// ReasonProgressing: first sight, or work under way.
	ReasonProgressing = "Progressing"
	// ReasonSucceeded: the condition holds.
	ReasonSucceeded = "Succeeded"

	// ReasonSecretNotFound: the credentials Secret does not exist.
	ReasonSecretNotFound = "SecretNotFound"
	// ReasonSecretKeyMissing: the Secret lacks a required key.
	ReasonSecretKeyMissing = "SecretKeyMissing"
	// ReasonInvalidCredentials: Meta rejected the token (codes 190 or 0).
	ReasonInvalidCredentials = "InvalidCredentials"
	// ReasonMissingPermission: the token lacks a scope or access to the WABA.
	ReasonMissingPermission = "MissingPermission"
	// ReasonTokenExpiringSoon: the token works but expires soon.
	ReasonTokenExpiringSoon = "TokenExpiringSoon"
	// ReasonAppMismatch: the token belongs to another app than spec.appID.
	ReasonAppMismatch = "AppMismatch"
	// ReasonNotSubscribed: our app is not subscribed to the WABA yet.
	ReasonNotSubscribed = "NotSubscribed"
	// ReasonWaitingForWebhook: the webhook Deployment has no ready replica.
	ReasonWaitingForWebhook = "WaitingForWebhook"
	// ReasonWaitingForRelay: the relay Deployment has no ready replica.
	ReasonWaitingForRelay = "WaitingForRelay"
	// ReasonFallbackTemplateUnavailable (RelayReady, True): the relay runs,
	// but the template new_bot_message in spec.templateLanguage is missing,
	// not approved, or has the wrong variable, so replies outside the
	// 24-hour window fail.
	ReasonFallbackTemplateUnavailable = "FallbackTemplateUnavailable"

	// ReasonProviderNotFound: the referenced MetaProvider does not exist.
	ReasonProviderNotFound = "ProviderNotFound"
	// ReasonProviderNotReady: the referenced MetaProvider is not Ready.
	ReasonProviderNotReady = "ProviderNotReady"
	// ReasonPhoneNumberNotFound: the number is not among the WABA's numbers.
	ReasonPhoneNumberNotFound = "PhoneNumberNotFound"
	// ReasonConflict: another channel already holds this phone number,
	// another MessageTemplate already describes this template, or (on a
	// MetaProvider) an object the operator would write for it exists and is
	// not controlled by this provider.
	ReasonConflict = "Conflict"
	// ReasonChatbotNotFound: the chatbot Service does not exist or lacks the port.
	ReasonChatbotNotFound = "ChatbotNotFound"
	// ReasonNotManaged: spec.profile is unset; the profile is left alone.
	ReasonNotManaged = "NotManaged"
	// ReasonNameInReview: Meta is reviewing the number's display name; the
	// number is registered once the name is approved.
	ReasonNameInReview = "NameInReview"
	// ReasonNameDeclined: Meta declined the number's display name.
	ReasonNameDeclined = "NameDeclined"
	// ReasonNameNotApproved: the number has no approved display name
	// (name_status NONE or EXPIRED).
	ReasonNameNotApproved = "NameNotApproved"
	// ReasonNotRegistered: the number is not registered on the Cloud API
	// and the channel has no spec.registration to do it.
	ReasonNotRegistered = "NotRegistered"
	// ReasonInvalidPIN: the PIN Secret's key does not hold six digits.
	ReasonInvalidPIN = "InvalidPIN"
	// ReasonRegistrationFailed: Meta refused to register the number (a
	// wrong PIN, most often); tried again when the Secret or spec changes.
	ReasonRegistrationFailed = "RegistrationFailed"
	// ReasonTooManyAttempts: Meta's limit of registration attempts is
	// used up (133016); tried again after Meta's wait.
	ReasonTooManyAttempts = "TooManyAttempts"

	// ReasonPending: Meta is reviewing the template.
	ReasonPending = "Pending"
	// ReasonRejected: Meta rejected the template.
	ReasonRejected = "Rejected"
	// ReasonPaused: Meta paused the template for low quality; it returns to
	// Ready when Meta resumes it.
	ReasonPaused = "Paused"
	// ReasonDisabled: Meta disabled the template after repeated pauses.
	ReasonDisabled = "Disabled"
	// ReasonEditRefused: Meta refused an edit (budget, category of an
	// approved template, status that cannot be edited).
	ReasonEditRefused = "EditRefused"
	// ReasonTemplateInvalid: Meta refused the template's content.
	ReasonTemplateInvalid = "TemplateInvalid"
	// ReasonMediaNeedsAppID: a media header's sample is uploaded to the
	// provider's app, and the provider has no spec.appID.
	ReasonMediaNeedsAppID = "MediaNeedsAppID"
	// ReasonMediaExampleInvalid: the header's sample cannot be used (not
	// found, too large, wrong type, refused address); fix exampleURL.
	ReasonMediaExampleInvalid = "MediaExampleInvalid"
	// ReasonMediaExampleUnavailable: fetching the sample failed in a way
	// that may pass (timeout, 5xx); retried with backoff.
	ReasonMediaExampleUnavailable = "MediaExampleUnavailable"
	// ReasonMetaStatus: a template status without a specific reason.
	ReasonMetaStatus = "MetaStatus"
	// ReasonAdoptionRequired: Meta already holds a template of this name
	// and language that this object did not create; it is left alone until
	// the object carries AdoptAnnotation (or another spec.name).
	ReasonAdoptionRequired = "AdoptionRequired"

	// ReasonRateLimited: Meta refused a call for its rate limit, or asked to
	// wait (estimated_time_to_regain_access); retrying after its wait.
	ReasonRateLimited = "RateLimited"
	// ReasonWaitingForBudget: the operator held a call back to stay within
	// Meta's hourly budget (its own calls filled the rolling hour, or Meta's
	// usage header is past the threshold and calls are spaced out); Meta
	// refused nothing. It goes out when the budget allows.
	ReasonWaitingForBudget = "WaitingForBudget"
	// ReasonGraphAPIError: a transient Graph API failure; retrying with backoff.
	ReasonGraphAPIError = "GraphAPIError"
	// ReasonDeleting: the object is being deleted.
	ReasonDeleting = "Deleting"
	// ReasonSuspended: spec.suspend is true; the operator does nothing for
	// the object. Ready keeps the status it had when it was suspended.
	ReasonSuspended = "Suspended"
)
