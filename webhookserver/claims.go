package webhookserver

import (
	"context"

	"github.com/kubechat/whatsapp-operator/internal/sharedstore"
)

// sharedClaims is what the request path needs of a shared store: claim a
// batch's dedupe keys before forwarding, mark a delivery's keys done after
// the chatbot's 2xx, release them when it failed (*sharedstore.Store).
type sharedClaims interface {
	Claim(ctx context.Context, keys []string) (*sharedstore.Claim, error)
	Done(ctx context.Context, c *sharedstore.Claim, keys []string) error
	Release(ctx context.Context, c *sharedstore.Claim, keys []string) error
	Fallback(path string)
}

// claimPlan claims the keys of every delivery of p in the shared store,
// in one round trip. Items another request delivered are left out (and
// remembered locally); items another request is delivering right now are
// left out too and make Meta retry the batch (p.held): their claim holds
// until that delivery ends. When the store fails, p goes as planned, at
// least once, and the fallback is counted.
func (s *Server) claimPlan(ctx context.Context, env *Envelope, table *RouteTable, p *batchPlan) *batchPlan {
	var keys []string
	for _, d := range p.deliveries {
		keys = append(keys, d.keys...)
	}
	if len(keys) == 0 {
		return p
	}
	claim, err := s.shared.Claim(ctx, keys)
	if err != nil {
		s.shared.Fallback(sharedstore.PathInbound)
		p.sharedFailed = true
		return p
	}
	var delivered []string
	held := 0
	for _, k := range keys {
		switch claim.Verdict(k) {
		case sharedstore.Delivered:
			delivered = append(delivered, k)
		case sharedstore.Held:
			held++
		}
	}
	if len(delivered) == 0 && held == 0 { // the common case: every item is new
		p.claim = claim
		return p
	}
	s.dedupe.Record(delivered) // no need to ask the store about them again
	again := planBatch(env, table, func(k string) bool {
		return s.dedupe.Seen(k) || claim.Verdict(k) != sharedstore.Claimed
	})
	again.claim = claim
	again.held = held
	again.duplicateItems -= held // counted as held by the store's metrics, not as duplicates
	// A key claimed here that the new plan left out (the local memory
	// learned of it meanwhile) is given back at once.
	kept := map[string]bool{}
	for _, d := range again.deliveries {
		for _, k := range d.keys {
			kept[k] = true
		}
	}
	var orphaned []string
	for _, k := range keys {
		if claim.Verdict(k) == sharedstore.Claimed && !kept[k] {
			orphaned = append(orphaned, k)
		}
	}
	if len(orphaned) > 0 {
		_ = s.shared.Release(ctx, claim, orphaned)
	}
	return again
}

// settle records a delivery's outcome: on success its keys are remembered
// locally and marked done in the shared store (also when the store failed
// at claim time, so that other replicas learn of it if it is back); on
// failure the claims are given back so that Meta's retry can take them.
func (s *Server) settle(ctx context.Context, p *batchPlan, d *delivery, delivered bool) {
	if delivered {
		s.dedupe.Record(d.keys)
		if s.shared != nil && (p.claim != nil || p.sharedFailed) {
			_ = s.shared.Done(ctx, p.claim, d.keys)
		}
		return
	}
	if s.shared != nil && p.claim != nil {
		_ = s.shared.Release(ctx, p.claim, d.keys)
	}
}

// storeClaims adapts *sharedstore.Store to sharedClaims.
type storeClaims struct{ *sharedstore.Store }

func (s storeClaims) Fallback(path string) { s.Metrics().Fallback(path) }
