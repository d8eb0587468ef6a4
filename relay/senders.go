package relay

import (
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/providerstate"
)

// senderInfo is one phone number that may send: a Ready channel's.
type senderInfo struct {
	Channel       types.NamespacedName
	PhoneNumberID string
	// PerSecond is the number's throughput (graph.MessagesPerSecond).
	PerSecond int
}

// senderTable is an immutable snapshot of the numbers that may send and
// the provider's Graph API version.
type senderTable struct {
	byPNID map[string]senderInfo
	// version is the provider's spec.graphAPIVersion ("" for the default).
	version string
}

// buildSenders keeps the Ready channels of the provider that hold a phone
// number id. Nothing may send without the provider.
func buildSenders(snap providerstate.Snapshot) *senderTable {
	t := &senderTable{byPNID: map[string]senderInfo{}}
	if snap.Provider == nil {
		return t
	}
	t.version = snap.Provider.Spec.GraphAPIVersion
	for i := range snap.Channels {
		ch := &snap.Channels[i]
		if ch.Status.PhoneNumberID == "" || !meta.IsStatusConditionTrue(ch.Status.Conditions, whatsappv1alpha1.ConditionReady) {
			continue
		}
		if _, taken := t.byPNID[ch.Status.PhoneNumberID]; taken {
			continue // two Ready channels cannot hold one number; keep the first
		}
		t.byPNID[ch.Status.PhoneNumberID] = senderInfo{
			Channel:       types.NamespacedName{Namespace: ch.Namespace, Name: ch.Name},
			PhoneNumberID: ch.Status.PhoneNumberID,
			PerSecond:     throughputOf(ch),
		}
	}
	return t
}

// throughputOf is a channel's send rate, from Meta's throughput.level as
// the controller records it in status.throughputLevel (80 messages per
// second unless HIGH).
func throughputOf(ch *whatsappv1alpha1.WhatsAppChannel) int {
	return graph.MessagesPerSecond(ch.Status.ThroughputLevel)
}

// lookup returns the sender of a phone number id.
func (t *senderTable) lookup(pnid string) (senderInfo, bool) {
	if t == nil {
		return senderInfo{}, false
	}
	s, ok := t.byPNID[pnid]
	return s, ok
}
