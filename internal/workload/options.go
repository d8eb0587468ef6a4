package workload

import "github.com/kubechat/whatsapp-operator/api/v1alpha1"

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
	// APIServerCIDRs are the API server's addresses as pods reach it (the
	// kubernetes Service's ClusterIP and its endpoints). When set, the
	// webhook pods get an egress NetworkPolicy: DNS, these, the pods of
	// their namespace and the provider's spec.webhook.allowedEgressCIDRs.
	// Empty leaves egress open (without the API server's addresses the
	// policy would cut the pods off from it). The relay's egress is left
	// open: it reaches Meta and the media links bots send.
	APIServerCIDRs []string
	// PodDefaults are the operator-wide pod settings of this workload
	// (--webhook-pod-defaults, --relay-pod-defaults), under the provider's
	// spec.webhook.pod or spec.relay.pod (podsettings.Merge).
	PodDefaults *v1alpha1.PodSettings
}
