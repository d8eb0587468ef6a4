// Package controllers reconciles MetaProvider, WhatsAppChannel and
// MessageTemplate against Meta's Graph API.
//
// Every kind runs the same skeleton (reconcile.go: get, deletion, deep
// copy, sync, settle, status) and has the same split: <kind>_controller.go
// wires the watches, <kind>_sync.go is the reconcile itself, read top to
// bottom as a list of steps over a per-reconcile struct (providerSync,
// channelSync, templateSync), and <kind>_<what>.go holds one step each
// (credentials, subscription, callback, webhookserver; claim, number,
// chatbot, registration, pin, profile; find, submit, edit, media, status,
// content, claim; delete).
//
// A step ends a reconcile early by returning a typed outcome as its error:
// retryLater (Reconciling), waitForUser (Stalled, a human acts elsewhere)
// or permanent (Stalled for this spec); settle maps them onto conditions
// and requeues (outcome_*.go), and graphOutcome is the one place where
// Meta's answers become outcomes. Shared pieces: session.go (a channel's or
// template's Ready provider, credentials and Graph client), claimants.go
// (the oldest claimant of a number or template wins), checkmemo.go (checks
// not repeated within an interval), status.go (conditions, patches,
// events), wabacache.go (one listing per WABA serves every channel and
// template), metrics.go and metrics_numbers.go (gauges computed from the
// cache at scrape time), tiers.go, credentials.go, indexes.go,
// predicates.go, finalizer.go.
package controllers

import (
	"time"

	"golang.org/x/time/rate"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/mediafetch"
	"github.com/kubechat/whatsapp-operator/internal/webhookresources"
)

// Options configure the controllers.
type Options struct {
	// Graph builds Graph API clients from credentials.
	Graph *graph.Factory
	// GraphAPIURL and GraphAPIVersion are passed to the webhook Deployments.
	GraphAPIURL     string
	GraphAPIVersion string
	// WebhookImage runs the managed webhook servers.
	WebhookImage string
	// RelayImage runs the managed relays; empty means WebhookImage (the
	// same binary).
	RelayImage string
	// APIServerCIDRs are the API server's addresses, opened in the webhook
	// pods' egress NetworkPolicy (empty: egress stays open).
	APIServerCIDRs []string
	// MaxConcurrentReconciles per controller; default 4.
	MaxConcurrentReconciles int
	// MinListingAge is the youngest a shared WABA listing may be before an
	// on-demand reconcile re-reads it; default 5s. It keeps a burst of
	// webhook-triggered reconciles to one Graph call.
	MinListingAge time.Duration
	// PendingPollMin bounds how often a template in review is polled; default 30s.
	PendingPollMin time.Duration
	// NumberRecheckAge is the youngest a WABA's shared phone listing may be
	// before a channel that does not find its number in it reads it again
	// (the number may have been added at Meta since); default 10s. It keeps
	// channels whose number is missing to one listing per WABA per 10s.
	NumberRecheckAge time.Duration
	// MediaFetcher fetches media header samples; default mediafetch.New
	// with its defaults (https, size limits, private addresses refused).
	MediaFetcher *mediafetch.Fetcher
	// WebhookPodDefaults and RelayPodDefaults are the operator-wide pod
	// settings of the webhook servers and relays, under each provider's
	// spec.webhook.pod and spec.relay.pod (internal/podsettings).
	WebhookPodDefaults, RelayPodDefaults *whatsappv1alpha1.PodSettings
	// Now returns the current time; tests may fake it.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.MaxConcurrentReconciles == 0 {
		o.MaxConcurrentReconciles = 4
	}
	if o.MinListingAge == 0 {
		o.MinListingAge = 5 * time.Second
	}
	if o.PendingPollMin == 0 {
		o.PendingPollMin = 30 * time.Second
	}
	if o.NumberRecheckAge == 0 {
		o.NumberRecheckAge = 10 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MediaFetcher == nil {
		o.MediaFetcher = mediafetch.New(mediafetch.Options{})
	}
	return o
}

// Setup registers the indexes and the three controllers with mgr.
func Setup(mgr ctrl.Manager, opts Options) error {
	opts = opts.withDefaults()
	if err := setupIndexes(mgr); err != nil {
		return err
	}
	base := newBase(mgr, opts)
	resources := webhookresources.Options{
		Image: opts.WebhookImage, GraphAPIURL: opts.GraphAPIURL, GraphAPIVersion: opts.GraphAPIVersion,
		APIServerCIDRs: opts.APIServerCIDRs,
	}
	resources.PodDefaults = opts.WebhookPodDefaults
	relayResources := resources
	relayResources.PodDefaults = opts.RelayPodDefaults
	if opts.RelayImage != "" {
		relayResources.Image = opts.RelayImage
	}
	if err := (&MetaProviderReconciler{base: base, resources: resources, relayResources: relayResources}).SetupWithManager(mgr); err != nil {
		return err
	}
	if err := (&WhatsAppChannelReconciler{base: base}).SetupWithManager(mgr); err != nil {
		return err
	}
	return (&MessageTemplateReconciler{base: base}).SetupWithManager(mgr)
}

// controllerOptions are the queue settings of every controller; see
// docs/decisions/003-work-queue.md. The classic queue (not the priority
// queue) with a per-item exponential backoff of 1s..10m and an overall
// bucket, so a Graph outage cannot turn into a hot loop.
func controllerOptions(opts Options) controller.Options {
	return controller.Options{
		MaxConcurrentReconciles: opts.MaxConcurrentReconciles,
		UsePriorityQueue:        ptrFalse(),
		RateLimiter: workqueue.NewTypedMaxOfRateLimiter(
			workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](time.Second, 10*time.Minute),
			&workqueue.TypedBucketRateLimiter[reconcile.Request]{Limiter: rate.NewLimiter(rate.Limit(20), 200)},
		),
	}
}

func ptrFalse() *bool { f := false; return &f }
