package graph_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// Meta's answers about registration name the number's state and what to
// do, carry Meta's code, and never the PIN.
func TestRegistrationAnswersAreExplained(t *testing.T) {
	ctx := context.Background()
	cases := map[string]struct {
		reason    string
		setup     func(t *testing.T, e *env)
		call      func(c *graph.Client) error
		wantClass graph.Class
		wantIn    []string
		wantWait  time.Duration
	}{
		"not registered": {
			reason: "133010 from a send says the number must be registered, and how",
			setup: func(t *testing.T, e *env) {
				_ = e.sim.UpdatePhoneNumber(phoneID, func(p *graphsim.PhoneNumber) { p.PlatformType, p.Status = "NOT_APPLICABLE", "PENDING" })
			},
			call: func(c *graph.Client) error {
				_, err := c.SendMessage(ctx, phoneID, []byte(`{"messaging_product":"whatsapp","to":"1","type":"text","text":{"body":"x"}}`))
				return err
			},
			wantClass: graph.ClassNotFound,
			wantIn:    []string{"133010", "not registered on the Cloud API", "/register", "spec.registration"},
		},
		"wrong PIN": {
			reason: "133005 says the PIN does not match and that attempts are counted",
			setup: func(t *testing.T, e *env) {
				_ = e.sim.SetTwoStepPIN(phoneID, "135790")
			},
			call:      func(c *graph.Client) error { return c.RegisterPhoneNumber(ctx, phoneID, testPIN) },
			wantClass: graph.ClassPermanent,
			wantIn:    []string{"133005", "PIN does not match", "10 per 72 hours"},
		},
		"too many attempts": {
			reason: "133016 is a rate limit waited out for Meta's 72-hour window, not retried with backoff",
			setup: func(t *testing.T, e *env) {
				_ = e.sim.SpendRegisterAttempts(phoneID, 10)
			},
			call:      func(c *graph.Client) error { return c.RegisterPhoneNumber(ctx, phoneID, testPIN) },
			wantClass: graph.ClassRateLimited,
			wantIn:    []string{"133016", "10 registration attempts", "Retry in 72h"},
			wantWait:  72 * time.Hour,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			tc.setup(t, e)
			err := tc.call(e.client)
			if got := graph.Classify(err); got != tc.wantClass {
				t.Fatalf("class = %s, want %s (%s): %v", got, tc.wantClass, tc.reason, err)
			}
			msg := graph.Describe(err)
			for _, want := range tc.wantIn {
				if !strings.Contains(msg, want) {
					t.Errorf("Describe lacks %q (%s): %s", want, tc.reason, msg)
				}
			}
			if strings.Contains(msg, testPIN) || strings.Contains(err.Error(), testPIN) {
				t.Errorf("the PIN leaked into the error")
			}
			if tc.wantWait != 0 && graph.RetryAfter(err) != tc.wantWait {
				t.Errorf("RetryAfter = %s, want %s", graph.RetryAfter(err), tc.wantWait)
			}
		})
	}
}
