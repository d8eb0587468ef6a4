package main

import (
	"flag"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
)

// leaderElection is the operator's leader election: on with
// --leader-elect; the timings are client-go's defaults unless set.
type leaderElection struct {
	enabled             bool
	namespace           string
	lease, renew, retry time.Duration
}

// bindLeaderElection registers the leader election flags.
func bindLeaderElection(fs *flag.FlagSet) *leaderElection {
	le := &leaderElection{}
	fs.BoolVar(&le.enabled, "leader-elect", false, "Elect a leader, so only one replica reconciles.")
	fs.StringVar(&le.namespace, "leader-election-namespace", "", "Namespace of the leader election Lease; default the pod's own (required outside a cluster).")
	fs.DurationVar(&le.lease, "leader-elect-lease-duration", 15*time.Second, "How long a leader's Lease holds without renewal: the longest a killed leader's work waits for a successor.")
	fs.DurationVar(&le.renew, "leader-elect-renew-deadline", 10*time.Second, "How long the leader keeps trying to renew before it stops leading.")
	fs.DurationVar(&le.retry, "leader-elect-retry-period", 2*time.Second, "How often candidates try to take the Lease.")
	return le
}

// apply sets the manager's leader election options.
func (le *leaderElection) apply(o *ctrl.Options) {
	o.LeaderElection = le.enabled
	o.LeaderElectionID = "whatsapp-operator.kubechat.io"
	o.LeaderElectionNamespace = le.namespace
	o.LeaseDuration, o.RenewDeadline, o.RetryPeriod = &le.lease, &le.renew, &le.retry
	// A leader that stops cleanly (SIGTERM, rollout) hands over at once
	// instead of making the next one wait out the Lease: it exits right
	// after, so nothing of it runs on.
	o.LeaderElectionReleaseOnCancel = true
}
