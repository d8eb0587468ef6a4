package workload

// Options are the operator-wide settings every managed Deployment
// inherits.
type Options struct {
	// Image is the operator's image; every workload is the same binary in
	// another mode (`whatsapp-operator webhook-server`, `... relay`).
	// Required.
	Image string
	// GraphAPIURL is passed as --graph-api-url; empty leaves the
	// workload's default.
	GraphAPIURL string
	// GraphAPIVersion is passed as --graph-api-version unless the provider
	// pins spec.graphAPIVersion; empty (and unpinned) leaves the
	// workload's default.
	GraphAPIVersion string
}
