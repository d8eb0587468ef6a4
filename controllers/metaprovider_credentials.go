package controllers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// tokenExpiryWarning: a token expiring sooner than this is reported.
const tokenExpiryWarning = 7 * 24 * time.Hour

// checkCredentials proves the token reaches the WABA (a cheap GET of the
// WABA: debug_token's granular scopes are no longer reliable) and, with
// spec.appID, inspects the token for expiry, owning app and scopes. Its
// verdict is the CredentialsValid condition.
func (s *providerSync) checkCredentials(ctx context.Context) error {
	p := s.p
	acct, err := s.graph.GetBusinessAccount(ctx, p.Spec.BusinessAccountID)
	if err != nil {
		return s.credentialsFailure(graphOutcome(err, graphCall{
			interval: s.interval,
			refusal:  whatsappv1alpha1.ReasonMissingPermission,
			explain: fmt.Sprintf("WhatsApp Business Account %s is not visible to the token: check spec.businessAccountID and that the WABA is assigned to the token's system user.",
				p.Spec.BusinessAccountID),
		}))
	}
	p.Status.BusinessAccountName = acct.Name

	reason, message := whatsappv1alpha1.ReasonSucceeded, fmt.Sprintf("the token reaches WhatsApp Business Account %s", p.Spec.BusinessAccountID)
	if p.Spec.AppID != "" {
		info, err := s.graph.DebugToken(ctx, p.Spec.AppID, s.creds.AppSecret)
		if err != nil {
			return s.credentialsFailure(graphOutcome(err, graphCall{interval: s.interval, refusal: whatsappv1alpha1.ReasonInvalidCredentials}))
		}
		if stallReason, msg := judgeToken(p, info); stallReason != "" {
			return s.credentialsFailure(&waitForUser{reason: stallReason, message: msg, recheck: jitter(s.interval)})
		}
		p.Status.TokenExpiresAt = nil
		if !info.ExpiresAt.IsZero() {
			t := metav1.NewTime(info.ExpiresAt)
			p.Status.TokenExpiresAt = &t
			if left := info.ExpiresAt.Sub(s.now()); left < tokenExpiryWarning {
				reason = whatsappv1alpha1.ReasonTokenExpiringSoon
				message = fmt.Sprintf("the token works but expires at %s (in %s): put a new system-user token in Secret %s",
					info.ExpiresAt.UTC().Format(time.RFC3339), left.Round(time.Minute), p.Spec.CredentialsSecretRef.Name)
			}
		}
	}
	was := conditions.Get(p, whatsappv1alpha1.ConditionCredentialsValid)
	if reason == whatsappv1alpha1.ReasonTokenExpiringSoon && (was == nil || was.Reason != reason) {
		s.event(p, false, reason, message)
	}
	conditions.Set(p, whatsappv1alpha1.ConditionCredentialsValid, metav1.ConditionTrue, reason, message)
	return nil
}

// credentialsFailure sets CredentialsValid=False when the outcome says
// something about the credentials (a human must act); a timeout or a rate
// limit says nothing about them and leaves the condition alone.
func (s *providerSync) credentialsFailure(outcome error) error {
	var user *waitForUser
	if errors.As(outcome, &user) {
		conditions.Set(s.p, whatsappv1alpha1.ConditionCredentialsValid, metav1.ConditionFalse, user.reason, user.message)
	}
	return outcome
}

// judgeToken reads debug_token's answer; a non-empty reason means Stalled.
func judgeToken(p *whatsappv1alpha1.MetaProvider, info *graph.TokenInfo) (string, string) {
	if !info.IsValid {
		return whatsappv1alpha1.ReasonInvalidCredentials, fmt.Sprintf("Meta's debug_token says the access token in Secret %s is not valid (expired, revoked or from another app): put a new system-user token there", p.Spec.CredentialsSecretRef.Name)
	}
	if info.AppID != "" && info.AppID != p.Spec.AppID {
		return whatsappv1alpha1.ReasonAppMismatch, fmt.Sprintf("the access token belongs to app %s but spec.appID is %s: use a token of app %s or fix spec.appID", info.AppID, p.Spec.AppID, p.Spec.AppID)
	}
	if missing := info.MissingScopes(graph.ScopeWhatsAppManagement, graph.ScopeWhatsAppMessaging); len(missing) > 0 {
		return whatsappv1alpha1.ReasonMissingPermission, fmt.Sprintf("the access token lacks the permission(s) %s: grant them to the system user and generate a new token", strings.Join(missing, ", "))
	}
	return "", ""
}
