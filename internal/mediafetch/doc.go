// Package mediafetch fetches the sample media a template header names
// (spec.header.exampleURL), so the operator can upload it to Meta's
// Resumable Upload API: Meta's review needs a file handle, not a URL.
//
// The URL comes from whoever may write a MessageTemplate, so the fetch is
// held to what a sample needs and nothing more: HTTPS only (redirects too,
// at most 3), a time limit, a size limit by media type (IMAGE 5 MiB, VIDEO
// and DOCUMENT 16 MiB), one of the types Meta's upload API takes, at most
// two fetches at once (memory stays bounded), no proxy, and every
// connection through a dialguard.Guard on the resolved address: loopback,
// link-local (the cloud metadata service), private ranges and any ranges
// the operator denies are refused unless an admin allows them.
package mediafetch
