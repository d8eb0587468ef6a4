// Package graph is a typed client for the parts of Meta's Graph API that the
// whatsapp-operator uses: a WhatsApp Business Account (WABA), its phone
// numbers, business profiles, app subscriptions, token inspection, message
// templates, and the message and media endpoints the outbound relay forwards.
//
// The package knows nothing of Kubernetes. Controllers build clients through a
// Factory, which caches them by a hash of their credentials and shares
// per-WABA rate limiters, usage readings and template edit budgets between
// them.
//
// Every failure is returned as an error that Classify maps to a Class
// (bad credentials, permission, rate limited, window closed, template,
// not found, transient, permanent) by Meta's error code, never by the HTTP
// status alone, because Meta answers rate limits with HTTP 400. RetryAfter
// says how long to wait and Describe renders one plain line for a status
// condition. No error text, log line or metric label ever carries the
// access token, the app secret or a verify token.
package graph
