package controllers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// syncProfile keeps the business profile equal to spec.profile. Fields
// left empty in spec.profile are left alone at Meta. The live profile is
// read at most once per syncInterval per channel (or when the spec changes,
// or a reconcile is requested), and written only when it differs.
func (r *WhatsAppChannelReconciler) syncProfile(ctx context.Context, ch *whatsappv1alpha1.WhatsAppChannel, gc *graph.Client, interval time.Duration) (ctrl.Result, error, bool) {
	want := ch.Spec.Profile
	key := client.ObjectKeyFromObject(ch).String()
	if want == nil {
		r.profiles.forget(key)
		conditions.Set(ch, whatsappv1alpha1.ConditionProfileSynced, metav1.ConditionTrue, whatsappv1alpha1.ReasonNotManaged, "spec.profile is not set: the business profile is left as it is")
		return ctrl.Result{}, nil, true
	}
	hash := profileHash(ch.Status.PhoneNumberID, want)
	if r.profiles.fresh(key, hash, r.now(), r.listingAge(ch, interval)) && conditions.IsTrue(ch, whatsappv1alpha1.ConditionProfileSynced) {
		return ctrl.Result{}, nil, true
	}
	live, err := gc.GetBusinessProfile(ctx, ch.Status.PhoneNumberID)
	if err != nil {
		conditions.Set(ch, whatsappv1alpha1.ConditionProfileSynced, metav1.ConditionFalse, whatsappv1alpha1.ReasonGraphAPIError, graph.Describe(err))
		res, err := graphFailure(ch, err, whatsappv1alpha1.ReasonGraphAPIError, interval)
		return res, err, false
	}
	if diff := profileDiff(want, live); len(diff) > 0 {
		if err := gc.UpdateBusinessProfile(ctx, ch.Status.PhoneNumberID, toGraphProfile(want)); err != nil {
			conditions.Set(ch, whatsappv1alpha1.ConditionProfileSynced, metav1.ConditionFalse, whatsappv1alpha1.ReasonGraphAPIError, graph.Describe(err))
			res, err := graphFailure(ch, err, whatsappv1alpha1.ReasonGraphAPIError, interval)
			return res, err, false
		}
		r.event(ch, true, "ProfileUpdated", fmt.Sprintf("updated the business profile of %s: %s", ch.Spec.PhoneNumber, strings.Join(diff, ", ")))
	}
	r.profiles.record(key, hash, r.now())
	conditions.Set(ch, whatsappv1alpha1.ConditionProfileSynced, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded, "the business profile equals spec.profile")
	return ctrl.Result{}, nil, true
}

// profileDiff names the fields set in want that differ from live.
func profileDiff(want *whatsappv1alpha1.BusinessProfile, live *graph.BusinessProfile) []string {
	var diff []string
	check := func(name, w, l string) {
		if w != "" && w != l {
			diff = append(diff, name)
		}
	}
	check("about", want.About, live.About)
	check("address", want.Address, live.Address)
	check("description", want.Description, live.Description)
	check("email", want.Email, live.Email)
	check("vertical", want.Vertical, live.Vertical)
	if len(want.Websites) > 0 && !sameWebsites(want.Websites, live.Websites) {
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

// profileChecks remembers when each channel's profile was last found equal
// to its spec, so steady state costs one profile read per channel per
// syncInterval, not one per reconcile.
type profileChecks struct {
	mu      sync.Mutex
	checked map[string]profileCheck
}

type profileCheck struct {
	hash string
	at   time.Time
}

func newProfileChecks() *profileChecks { return &profileChecks{checked: map[string]profileCheck{}} }

func (p *profileChecks) fresh(key, hash string, now time.Time, maxAge time.Duration) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.checked[key]
	return ok && c.hash == hash && now.Sub(c.at) < maxAge
}

func (p *profileChecks) record(key, hash string, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.checked[key] = profileCheck{hash: hash, at: now}
}

func (p *profileChecks) forget(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.checked, key)
}
