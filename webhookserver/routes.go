package webhookserver

import (
	"maps"
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// Route sends one phone number's webhooks to one channel's chatbot.
type Route struct {
	Channel       types.NamespacedName
	PhoneNumberID string
	Chatbot       whatsappv1alpha1.ChatbotTarget
}

// RouteTable is an immutable snapshot of where each phone number of one
// provider goes. It is rebuilt from the informer caches on every change of
// the provider or its channels and swapped in atomically when it differs.
type RouteTable struct {
	// Generation increases with every rebuild that changed the table.
	Generation uint64
	// WABAID is the provider's spec.businessAccountID ("" when unknown).
	WABAID string

	byPNID map[string]Route
	// claimedPNID: numbers claimed only by channels marked Conflict. No route,
	// but a channel exists: retry rather than drop.
	claimedPNID map[string]types.NamespacedName
	// pendingDigits: digits of spec.phoneNumber of channels still lacking
	// status.phoneNumberID (not verified yet, or in Conflict).
	pendingDigits map[string]types.NamespacedName
	// byDigits: digits of every channel's spec.phoneNumber and
	// status.displayPhoneNumber, for events that carry only a display number.
	byDigits map[string]types.NamespacedName
}

// BuildRouteTable builds the routes of provider from the channels of its
// namespace. Channels of other providers are ignored. A channel whose Routed,
// Ready or Stalled condition has reason Conflict never takes a number's
// route; if two channels claim one number and neither is marked yet, the
// older one (then the smaller name) wins, as the controller decides.
func BuildRouteTable(generation uint64, provider *whatsappv1alpha1.MetaProvider, channels []whatsappv1alpha1.WhatsAppChannel) *RouteTable {
	t := &RouteTable{
		Generation:    generation,
		byPNID:        map[string]Route{},
		claimedPNID:   map[string]types.NamespacedName{},
		pendingDigits: map[string]types.NamespacedName{},
		byDigits:      map[string]types.NamespacedName{},
	}
	if provider == nil {
		return t
	}
	t.WABAID = provider.Spec.BusinessAccountID
	mine := make([]*whatsappv1alpha1.WhatsAppChannel, 0, len(channels))
	for i := range channels {
		ch := &channels[i]
		if ch.Namespace == provider.Namespace && ch.Spec.ProviderRef.Name == provider.Name {
			mine = append(mine, ch)
		}
	}
	sort.Slice(mine, func(i, j int) bool { return olderFirst(mine[i], mine[j]) })
	for _, ch := range mine {
		key := types.NamespacedName{Namespace: ch.Namespace, Name: ch.Name}
		conflict := hasConflict(ch.Status.Conditions)
		if !conflict {
			addOnce(t.byDigits, digits(ch.Spec.PhoneNumber), key)
			addOnce(t.byDigits, digits(ch.Status.DisplayPhoneNumber), key)
		}
		pnid := ch.Status.PhoneNumberID
		switch {
		case pnid == "":
			// Not verified yet, or in Conflict (the controller withdraws
			// the id of a channel that lost its number): either way a
			// channel of this provider wants the number, so its webhooks
			// are retried rather than dropped.
			addOnce(t.pendingDigits, digits(ch.Spec.PhoneNumber), key)
		case conflict:
			addOnce(t.claimedPNID, pnid, key)
		default:
			if _, taken := t.byPNID[pnid]; !taken {
				t.byPNID[pnid] = Route{Channel: key, PhoneNumberID: pnid, Chatbot: ch.Spec.Chatbot}
			}
		}
	}
	for pnid := range t.byPNID {
		delete(t.claimedPNID, pnid)
	}
	return t
}

// nextRouteTable returns the table to serve after a provider or channel
// event: prev itself when the event changed nothing the table holds (a
// status write, a condition's timestamp, the server's own annotation
// patches), else a new table one generation later. The generation is what
// invalidates remembered unknown numbers, so it moves only when routing does.
func nextRouteTable(prev *RouteTable, provider *whatsappv1alpha1.MetaProvider, channels []whatsappv1alpha1.WhatsAppChannel) *RouteTable {
	var gen uint64 = 1
	if prev != nil {
		gen = prev.Generation + 1
	}
	t := BuildRouteTable(gen, provider, channels)
	if prev != nil && prev.SameRoutes(t) {
		return prev
	}
	return t
}

// SameRoutes reports whether t and o route, claim and match numbers alike;
// their generations may differ.
func (t *RouteTable) SameRoutes(o *RouteTable) bool {
	return t.WABAID == o.WABAID &&
		maps.EqualFunc(t.byPNID, o.byPNID, sameRoute) &&
		maps.Equal(t.claimedPNID, o.claimedPNID) &&
		maps.Equal(t.pendingDigits, o.pendingDigits) &&
		maps.Equal(t.byDigits, o.byDigits)
}

// sameRoute compares two routes, chatbot targets by value.
func sameRoute(a, b Route) bool {
	if a.Channel != b.Channel || a.PhoneNumberID != b.PhoneNumberID ||
		a.Chatbot.URL != b.Chatbot.URL || a.Chatbot.Path != b.Chatbot.Path {
		return false
	}
	ra, rb := a.Chatbot.ServiceRef, b.Chatbot.ServiceRef
	return ra == rb || (ra != nil && rb != nil && *ra == *rb)
}

// Lookup returns the route of a phone number id.
func (t *RouteTable) Lookup(phoneNumberID string) (Route, bool) {
	r, ok := t.byPNID[phoneNumberID]
	return r, ok
}

// Claimed reports whether some channel of the provider claims the number
// without holding a route for it yet: its status has no phoneNumberID (it
// is not verified yet, or it is in Conflict) but its spec.phoneNumber has
// the display number's digits, or only channels marked Conflict hold the
// id. Such a number's webhooks must be retried (503), never dropped.
func (t *RouteTable) Claimed(phoneNumberID, displayNumber string) (types.NamespacedName, bool) {
	if ch, ok := t.claimedPNID[phoneNumberID]; ok {
		return ch, true
	}
	if d := digits(displayNumber); d != "" {
		if ch, ok := t.pendingDigits[d]; ok {
			return ch, true
		}
	}
	return types.NamespacedName{}, false
}

// ChannelForDisplayNumber finds the channel whose number has the digits of
// a display number, as phone_number_quality_update carries.
func (t *RouteTable) ChannelForDisplayNumber(displayNumber string) (types.NamespacedName, bool) {
	d := digits(displayNumber)
	if d == "" {
		return types.NamespacedName{}, false
	}
	ch, ok := t.byDigits[d]
	return ch, ok
}

// Len returns the number of routed phone numbers.
func (t *RouteTable) Len() int { return len(t.byPNID) }

// hasConflict reports whether a condition says the channel lost its number
// to another channel: Routed or Ready False, or Stalled True, with reason
// Conflict.
func hasConflict(conds []metav1.Condition) bool {
	for _, c := range conds {
		if c.Reason != whatsappv1alpha1.ReasonConflict {
			continue
		}
		switch c.Type {
		case whatsappv1alpha1.ConditionRouted, whatsappv1alpha1.ConditionReady:
			if c.Status == metav1.ConditionFalse {
				return true
			}
		case whatsappv1alpha1.ConditionStalled:
			if c.Status == metav1.ConditionTrue {
				return true
			}
		}
	}
	return false
}

// olderFirst orders channels by creation time, then name.
func olderFirst(a, b *whatsappv1alpha1.WhatsAppChannel) bool {
	if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
	}
	return a.Name < b.Name
}

// addOnce sets m[k] unless k is empty or already set.
func addOnce(m map[string]types.NamespacedName, k string, v types.NamespacedName) {
	if k == "" {
		return
	}
	if _, ok := m[k]; !ok {
		m[k] = v
	}
}
