package controllers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// syncProfile keeps the business profile equal to spec.profile, by the
// rule profileDiff states; without spec.profile the profile is not
// managed at all. The live profile is read at most once per syncInterval
// per channel (or when the spec changes, or a reconcile is requested), and
// written only when it differs. Its verdict is the ProfileSynced condition.
func (s *channelSync) syncProfile(ctx context.Context) error {
	ch := s.ch
	want := ch.Spec.Profile
	key := client.ObjectKeyFromObject(ch)
	if want == nil {
		s.profiles.forget(key)
		conditions.Set(ch, whatsappv1alpha1.ConditionProfileSynced, metav1.ConditionTrue, whatsappv1alpha1.ReasonNotManaged, "spec.profile is not set: the business profile is left as it is")
		return nil
	}
	hash := profileHash(ch.Status.PhoneNumberID, want)
	if s.profiles.fresh(key, hash, s.now(), s.listingAge(ch, s.interval)) && conditions.IsTrue(ch, whatsappv1alpha1.ConditionProfileSynced) {
		return nil
	}
	live, err := s.graph.GetBusinessProfile(ctx, ch.Status.PhoneNumberID)
	if err != nil {
		conditions.Set(ch, whatsappv1alpha1.ConditionProfileSynced, metav1.ConditionFalse, whatsappv1alpha1.ReasonGraphAPIError, graph.Describe(err))
		return s.graphOutcome(err, whatsappv1alpha1.ReasonGraphAPIError)
	}
	if diff := profileDiff(want, live); len(diff) > 0 {
		if err := s.graph.UpdateBusinessProfile(ctx, ch.Status.PhoneNumberID, toGraphProfile(want)); err != nil {
			conditions.Set(ch, whatsappv1alpha1.ConditionProfileSynced, metav1.ConditionFalse, whatsappv1alpha1.ReasonGraphAPIError, graph.Describe(err))
			return s.graphOutcome(err, whatsappv1alpha1.ReasonGraphAPIError)
		}
		s.event(ch, true, "ProfileUpdated", fmt.Sprintf("updated the business profile of %s: %s", ch.Spec.PhoneNumber, strings.Join(diff, ", ")))
	}
	s.profiles.record(key, hash, s.now())
	conditions.Set(ch, whatsappv1alpha1.ConditionProfileSynced, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded, "the business profile equals spec.profile")
	return nil
}

// profileDiff names the fields of the live profile that differ from what
// spec.profile asks for. The spec owns address, description, email and
// websites: absent there means empty at Meta. about and vertical count
// only when set, because Meta cannot hold them empty (decision 009).
func profileDiff(want *whatsappv1alpha1.BusinessProfile, live *graph.BusinessProfile) []string {
	var diff []string
	owned := func(name, w, l string) {
		if w != l {
			diff = append(diff, name)
		}
	}
	ifSet := func(name, w, l string) {
		if w != "" && w != l {
			diff = append(diff, name)
		}
	}
	ifSet("about", want.About, live.About)
	owned("address", want.Address, live.Address)
	owned("description", want.Description, live.Description)
	owned("email", want.Email, live.Email)
	ifSet("vertical", want.Vertical, live.Vertical)
	if !sameWebsites(want.Websites, live.Websites) {
		diff = append(diff, "websites")
	}
	return diff
}

// sameWebsites compares URLs ignoring a trailing slash Meta may add.
func sameWebsites(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.TrimSuffix(a[i], "/") != strings.TrimSuffix(b[i], "/") {
			return false
		}
	}
	return true
}

func toGraphProfile(p *whatsappv1alpha1.BusinessProfile) graph.BusinessProfile {
	return graph.BusinessProfile{
		About: p.About, Address: p.Address, Description: p.Description,
		Email: p.Email, Vertical: p.Vertical, Websites: p.Websites,
	}
}

func profileHash(phoneID string, p *whatsappv1alpha1.BusinessProfile) string {
	raw, _ := json.Marshal(p)
	sum := sha256.Sum256(append([]byte(phoneID+"\x00"), raw...))
	return hex.EncodeToString(sum[:8])
}
