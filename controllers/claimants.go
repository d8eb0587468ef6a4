package controllers

import "sigs.k8s.io/controller-runtime/pkg/client"

// olderClaimant applies the one rule for two objects that claim the same
// thing at Meta (a phone number, a template name and language): the oldest
// claimant wins, so the first object is never disturbed by a later one. It
// returns the first of claimants, other than obj and not being deleted,
// that is older than obj and can still hold the claim, or nil.
func olderClaimant[T any, PT interface {
	*T
	client.Object
}](obj client.Object, claimants []T, canHold func(PT) bool) PT {
	for i := range claimants {
		o := PT(&claimants[i])
		if o.GetUID() == obj.GetUID() || !o.GetDeletionTimestamp().IsZero() {
			continue
		}
		if olderThan(o, obj) && canHold(o) {
			return o
		}
	}
	return nil
}

// olderThan orders two objects by creation time, then namespace and name.
func olderThan(a, b client.Object) bool {
	ta, tb := a.GetCreationTimestamp(), b.GetCreationTimestamp()
	if !ta.Equal(&tb) {
		return ta.Before(&tb)
	}
	return a.GetNamespace()+"/"+a.GetName() < b.GetNamespace()+"/"+b.GetName()
}
