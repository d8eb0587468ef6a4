package webhookserver

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

func TestBuildRouteTable(t *testing.T) {
	bot := urlBot("http://127.0.0.1:1/bot")
	conflict := metav1.Condition{Type: whatsappv1alpha1.ConditionRouted, Status: metav1.ConditionFalse, Reason: whatsappv1alpha1.ReasonConflict}
	stalledConflict := metav1.Condition{Type: whatsappv1alpha1.ConditionStalled, Status: metav1.ConditionTrue, Reason: whatsappv1alpha1.ReasonConflict}
	older := newChannel("older", "+12025550100", "111", bot)
	older.CreationTimestamp = metav1.NewTime(time.Unix(1000, 0))
	newer := newChannel("newer", "+12025550100", "111", bot)
	newer.CreationTimestamp = metav1.NewTime(time.Unix(2000, 0))
	otherProvider := newChannel("other", "+12025550199", "999", bot)
	otherProvider.Spec.ProviderRef.Name = "someone-else"
	ch := func(name string) types.NamespacedName {
		return types.NamespacedName{Namespace: testNamespace, Name: name}
	}

	type lookup struct {
		pnid, display string
	}
	type want struct {
		routed  map[string]string // pnid → channel name
		claimed map[lookup]string // (pnid, display) → channel name claiming it
	}
	cases := map[string]struct {
		reason   string
		channels []whatsappv1alpha1.WhatsAppChannel
		probe    []lookup
		want     want
	}{
		"Routed": {
			reason:   "a channel with a phoneNumberID routes it",
			channels: []whatsappv1alpha1.WhatsAppChannel{newChannel("a", "+12025550101", "101", bot)},
			probe:    []lookup{{"101", ""}},
			want:     want{routed: map[string]string{"101": "a"}, claimed: map[lookup]string{}},
		},
		"OtherProvider": {
			reason:   "channels of another provider are not ours to route",
			channels: []whatsappv1alpha1.WhatsAppChannel{otherProvider},
			probe:    []lookup{{"999", "12025550199"}},
			want:     want{routed: map[string]string{}, claimed: map[lookup]string{}},
		},
		"ConflictLoses": {
			reason: "a channel marked Conflict never steals the route, whatever its age",
			channels: []whatsappv1alpha1.WhatsAppChannel{
				func() whatsappv1alpha1.WhatsAppChannel {
					c := older
					c.Status.Conditions = []metav1.Condition{conflict}
					return c
				}(),
				newer,
			},
			probe: []lookup{{"111", ""}},
			want:  want{routed: map[string]string{"111": "newer"}, claimed: map[lookup]string{}},
		},
		"StalledConflictLoses": {
			reason: "Stalled=True with reason Conflict counts as a conflict too",
			channels: []whatsappv1alpha1.WhatsAppChannel{
				func() whatsappv1alpha1.WhatsAppChannel {
					c := older
					c.Status.Conditions = []metav1.Condition{stalledConflict}
					return c
				}(),
				newer,
			},
			probe: []lookup{{"111", ""}},
			want:  want{routed: map[string]string{"111": "newer"}, claimed: map[lookup]string{}},
		},
		"OlderWinsUnmarked": {
			reason:   "two unmarked claims: the older channel keeps the number",
			channels: []whatsappv1alpha1.WhatsAppChannel{newer, older},
			probe:    []lookup{{"111", ""}},
			want:     want{routed: map[string]string{"111": "older"}, claimed: map[lookup]string{}},
		},
		"OnlyConflicting": {
			reason: "a number held only by a Conflict channel is claimed (retry), not unknown (drop)",
			channels: []whatsappv1alpha1.WhatsAppChannel{
				func() whatsappv1alpha1.WhatsAppChannel {
					c := older
					c.Status.Conditions = []metav1.Condition{conflict}
					return c
				}(),
			},
			probe: []lookup{{"111", ""}},
			want:  want{routed: map[string]string{}, claimed: map[lookup]string{{"111", ""}: "older"}},
		},
		"OnlyConflictingWithoutID": {
			reason: "the controller withdraws the id of a channel in Conflict: its number, by digits, is still claimed (retry), never unknown (200 and dropped)",
			channels: []whatsappv1alpha1.WhatsAppChannel{
				newChannel("squatted", "+12025550100", "", bot, stalledConflict, conflict),
			},
			probe: []lookup{{"111", "12025550100"}},
			want:  want{routed: map[string]string{}, claimed: map[lookup]string{{"111", "12025550100"}: "squatted"}},
		},
		"PendingByDisplayNumber": {
			reason:   "a channel without phoneNumberID yet claims its number by digits: retry",
			channels: []whatsappv1alpha1.WhatsAppChannel{newChannel("fresh", "+1 202 555 0102", "", bot)},
			probe:    []lookup{{"102", "12025550102"}, {"103", "12025550103"}},
			want:     want{routed: map[string]string{}, claimed: map[lookup]string{{"102", "12025550102"}: "fresh"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			table := BuildRouteTable(7, testProviderObject(), tc.channels)
			got := want{routed: map[string]string{}, claimed: map[lookup]string{}}
			for _, p := range tc.probe {
				if r, ok := table.Lookup(p.pnid); ok {
					got.routed[p.pnid] = r.Channel.Name
				}
				if c, ok := table.Claimed(p.pnid, p.display); ok {
					got.claimed[p] = c.Name
				}
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{}, lookup{})); diff != "" {
				t.Errorf("%s\nroutes: -want, +got:\n%s", tc.reason, diff)
			}
			if table.Generation != 7 || table.WABAID != testWABA {
				t.Errorf("%s\ngeneration %d, WABA %q", tc.reason, table.Generation, table.WABAID)
			}
		})
	}
	t.Run("DisplayNumber", func(t *testing.T) {
		table := BuildRouteTable(1, testProviderObject(), []whatsappv1alpha1.WhatsAppChannel{newChannel("a", "+12025550101", "101", bot)})
		got, ok := table.ChannelForDisplayNumber("+1 202-555-0101")
		if diff := cmp.Diff(ch("a"), got); !ok || diff != "" {
			t.Errorf("a quality event's display number finds its channel by digits: ok=%v -want, +got:\n%s", ok, diff)
		}
	})
	t.Run("NoProvider", func(t *testing.T) {
		table := BuildRouteTable(1, nil, []whatsappv1alpha1.WhatsAppChannel{newChannel("a", "+12025550101", "101", bot)})
		if _, ok := table.Lookup("101"); ok {
			t.Error("without its MetaProvider nothing is routed")
		}
	})
}

func TestNextRouteTableBumpsOnlyOnRoutingChanges(t *testing.T) {
	base := func() []whatsappv1alpha1.WhatsAppChannel {
		svc := whatsappv1alpha1.ChatbotTarget{ServiceRef: &whatsappv1alpha1.ServiceReference{Name: "bot", Port: intstr.FromInt32(80)}, Path: "/"}
		return []whatsappv1alpha1.WhatsAppChannel{
			newChannel("us", "+12025550101", "101", urlBot("http://bot.example/hook")),
			newChannel("svc", "+12025550102", "102", svc),
			newChannel("fresh", "+12025550103", "", urlBot("http://bot.example/hook")),
		}
	}
	cases := map[string]struct {
		reason  string
		mutate  func(p *whatsappv1alpha1.MetaProvider, chs []whatsappv1alpha1.WhatsAppChannel) []whatsappv1alpha1.WhatsAppChannel
		changed bool
	}{
		"StatusWrite": {
			reason: "a status write that routes nothing differently (conditions, observed generation) keeps the table",
			mutate: func(_ *whatsappv1alpha1.MetaProvider, chs []whatsappv1alpha1.WhatsAppChannel) []whatsappv1alpha1.WhatsAppChannel {
				chs[0].Status.Conditions = []metav1.Condition{{Type: whatsappv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: "Ready"}}
				chs[0].Status.ObservedGeneration = 7
				return chs
			},
		},
		"OwnAnnotation": {
			reason: "the server's own reconcile-request annotation keeps the table",
			mutate: func(_ *whatsappv1alpha1.MetaProvider, chs []whatsappv1alpha1.WhatsAppChannel) []whatsappv1alpha1.WhatsAppChannel {
				chs[1].Annotations = map[string]string{whatsappv1alpha1.ReconcileRequestAnnotation: "2025-01-01T00:00:00Z"}
				return chs
			},
		},
		"SameServiceRefNewPointer": {
			reason: "an equal serviceRef in a fresh object (every informer update) keeps the table",
			mutate: func(_ *whatsappv1alpha1.MetaProvider, chs []whatsappv1alpha1.WhatsAppChannel) []whatsappv1alpha1.WhatsAppChannel {
				ref := *chs[1].Spec.Chatbot.ServiceRef
				chs[1].Spec.Chatbot.ServiceRef = &ref
				return chs
			},
		},
		"NumberVerified": {
			reason: "a channel getting its phoneNumberID routes a number: new generation",
			mutate: func(_ *whatsappv1alpha1.MetaProvider, chs []whatsappv1alpha1.WhatsAppChannel) []whatsappv1alpha1.WhatsAppChannel {
				chs[2].Status.PhoneNumberID = "103"
				return chs
			},
			changed: true,
		},
		"NewPendingChannel": {
			reason: "a new channel claiming a number (not verified yet) re-opens unknown numbers",
			mutate: func(_ *whatsappv1alpha1.MetaProvider, chs []whatsappv1alpha1.WhatsAppChannel) []whatsappv1alpha1.WhatsAppChannel {
				return append(chs, newChannel("another", "+12025550999", "", urlBot("http://bot.example/hook")))
			},
			changed: true,
		},
		"ChatbotURL": {
			reason: "a new chatbot URL must be used at once",
			mutate: func(_ *whatsappv1alpha1.MetaProvider, chs []whatsappv1alpha1.WhatsAppChannel) []whatsappv1alpha1.WhatsAppChannel {
				chs[0].Spec.Chatbot.URL = "http://other.example/hook"
				return chs
			},
			changed: true,
		},
		"ServicePort": {
			reason: "another Service port is another route",
			mutate: func(_ *whatsappv1alpha1.MetaProvider, chs []whatsappv1alpha1.WhatsAppChannel) []whatsappv1alpha1.WhatsAppChannel {
				chs[1].Spec.Chatbot.ServiceRef = &whatsappv1alpha1.ServiceReference{Name: "bot", Port: intstr.FromInt32(8080)}
				return chs
			},
			changed: true,
		},
		"Conflict": {
			reason: "a channel marked Conflict gives up its route",
			mutate: func(_ *whatsappv1alpha1.MetaProvider, chs []whatsappv1alpha1.WhatsAppChannel) []whatsappv1alpha1.WhatsAppChannel {
				chs[0].Status.Conditions = []metav1.Condition{{Type: whatsappv1alpha1.ConditionRouted, Status: metav1.ConditionFalse, Reason: whatsappv1alpha1.ReasonConflict}}
				return chs
			},
			changed: true,
		},
		"DisplayNumber": {
			reason: "a new display number changes which channel a quality event nudges",
			mutate: func(_ *whatsappv1alpha1.MetaProvider, chs []whatsappv1alpha1.WhatsAppChannel) []whatsappv1alpha1.WhatsAppChannel {
				chs[0].Status.DisplayPhoneNumber = "+1 202 555 0177"
				return chs
			},
			changed: true,
		},
		"WABA": {
			reason: "another WABA id changes which events are ours",
			mutate: func(p *whatsappv1alpha1.MetaProvider, chs []whatsappv1alpha1.WhatsAppChannel) []whatsappv1alpha1.WhatsAppChannel {
				p.Spec.BusinessAccountID = "1"
				return chs
			},
			changed: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			prev := nextRouteTable(nil, testProviderObject(), base())
			if prev.Generation != 1 {
				t.Fatalf("the first table has generation %d, want 1", prev.Generation)
			}
			p := testProviderObject()
			next := nextRouteTable(prev, p, tc.mutate(p, base()))
			got := map[string]any{"same table": next == prev, "generation": next.Generation}
			want := map[string]any{"same table": !tc.changed, "generation": uint64(1)}
			if tc.changed {
				want["generation"] = uint64(2)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
