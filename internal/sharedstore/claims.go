package sharedstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// Verdict is what the store said of one delivery key.
type Verdict uint8

const (
	// Claimed: this request holds the key; deliver the item.
	Claimed Verdict = iota
	// Delivered: a chatbot took the item before; leave it out.
	Delivered
	// Held: another request (on this or another replica) is delivering
	// the item right now; leave it out and have Meta retry.
	Held
)

// doneValue marks a delivered item; a claim's value starts with 'c'.
const doneValue = "d"

// releaseScript deletes the keys still claimed by this request's token, so
// that Meta's retry can claim them at once; a key claimed by someone else
// since (the lease ran out) or marked delivered is left alone.
var releaseScript = redis.NewScript(`
local n = 0
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    redis.call('DEL', KEYS[i])
    n = n + 1
  end
end
return n
`)

// processToken makes claim tokens unique across replicas; claimSeq within
// the process.
var (
	processToken = newProcessToken()
	claimSeq     atomic.Uint64
)

func newProcessToken() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "c" + hex.EncodeToString(b) + "-"
}

// Claim is one request's claims: its token and the store's verdict on
// each of its keys.
type Claim struct {
	token    string
	storeKey map[string]string // dedupe key → store key
	verdicts map[string]Verdict
}

// Verdict is the store's verdict on a dedupe key of this claim (Claimed
// for a key it was not asked about).
func (c *Claim) Verdict(key string) Verdict {
	if c == nil {
		return Claimed
	}
	return c.verdicts[key]
}

// Claim asks the store for every dedupe key of one request at once:
// a key nobody holds is claimed for ClaimLease. On error (or while the
// store is left alone after one) it returns the error and no claim: the
// caller delivers at least once.
func (s *Store) Claim(ctx context.Context, dedupeKeys []string) (*Claim, error) {
	if len(dedupeKeys) == 0 {
		return &Claim{}, nil
	}
	if !s.health.allow() {
		return nil, ErrUnavailable
	}
	c := &Claim{
		token:    processToken + strconv.FormatUint(claimSeq.Add(1), 36),
		storeKey: make(map[string]string, len(dedupeKeys)),
		verdicts: make(map[string]Verdict, len(dedupeKeys)),
	}
	keys := make([]string, len(dedupeKeys))
	for i, k := range dedupeKeys {
		keys[i] = s.keys.delivery(k)
		c.storeKey[k] = keys[i]
	}
	ctx, cancel := s.opContext(ctx)
	defer cancel()
	res, err := s.claimEach(ctx, keys, c.token)
	s.health.record("claim", err)
	if err != nil {
		return nil, err
	}
	var claimed, done, held float64
	for i, v := range res {
		switch {
		case v == "":
			claimed++
			c.verdicts[dedupeKeys[i]] = Claimed
		case v == doneValue:
			done++
			c.verdicts[dedupeKeys[i]] = Delivered
		default:
			held++
			c.verdicts[dedupeKeys[i]] = Held
		}
	}
	s.metrics.claims.WithLabelValues("claimed").Add(claimed)
	if done > 0 {
		s.metrics.claims.WithLabelValues("done").Add(done)
	}
	if held > 0 {
		s.metrics.claims.WithLabelValues("held").Add(held)
	}
	return c, nil
}

// claimEach claims keys with one SET key token NX PX lease GET each,
// sent in the batcher's next round trip: it claims a key that holds
// nothing and answers what the key held (nil when claimed), atomically,
// so two replicas never both claim one key (Redis 7.0 or later, Valkey).
// Per key: "" when claimed, else the value found (a claim or "d").
func (s *Store) claimEach(ctx context.Context, keys []string, token string) ([]string, error) {
	cmds, err := s.batch.commands(ctx, func(ctx context.Context, pipe redis.Pipeliner) []redis.Cmder {
		out := make([]redis.Cmder, len(keys))
		for i, k := range keys {
			out[i] = pipe.SetArgs(ctx, k, token, redis.SetArgs{Mode: "NX", TTL: s.cfg.ClaimLease, Get: true})
		}
		return out
	})
	if err != nil {
		return nil, err
	}
	res := make([]string, len(keys))
	for i, cmd := range cmds {
		v, err := cmd.(*redis.StatusCmd).Result()
		switch {
		case errors.Is(err, redis.Nil):
			res[i] = ""
		case err != nil:
			return nil, err
		default:
			res[i] = v
		}
	}
	return res, nil
}

// Done marks dedupeKeys of c delivered for DedupeTTL; with a nil c (the
// claim failed and the items were delivered anyway) every key given. It
// runs even when ctx is cancelled (the chatbot took the items: that must
// be remembered).
func (s *Store) Done(ctx context.Context, c *Claim, dedupeKeys []string) error {
	var keys []string
	if c == nil {
		for _, k := range dedupeKeys {
			keys = append(keys, s.keys.delivery(k))
		}
	} else {
		keys = c.keysOf(dedupeKeys)
	}
	if len(keys) == 0 {
		return nil
	}
	if !s.health.allow() {
		return ErrUnavailable
	}
	ctx, cancel := s.opContext(context.WithoutCancel(ctx))
	defer cancel()
	cmds, err := s.batch.commands(ctx, func(ctx context.Context, pipe redis.Pipeliner) []redis.Cmder {
		out := make([]redis.Cmder, len(keys))
		for i, k := range keys {
			out[i] = pipe.Set(ctx, k, doneValue, s.cfg.DedupeTTL)
		}
		return out
	})
	for i := 0; err == nil && i < len(cmds); i++ {
		err = cmds[i].Err()
	}
	s.health.record("done", err)
	return err
}

// Release gives up c's claims on dedupeKeys (the delivery failed), so
// that Meta's retry is not held back until the lease ends.
func (s *Store) Release(ctx context.Context, c *Claim, dedupeKeys []string) error {
	keys := c.keysOf(dedupeKeys)
	if len(keys) == 0 {
		return nil
	}
	if !s.health.allow() {
		return ErrUnavailable
	}
	ctx, cancel := s.opContext(context.WithoutCancel(ctx))
	defer cancel()
	err := s.batch.run(ctx, releaseScript, keys, c.token).Err()
	s.health.record("release", err)
	return err
}

// keysOf are the store keys of dedupeKeys that c claimed.
func (c *Claim) keysOf(dedupeKeys []string) []string {
	if c == nil || c.token == "" {
		return nil
	}
	keys := make([]string, 0, len(dedupeKeys))
	for _, k := range dedupeKeys {
		if sk, asked := c.storeKey[k]; asked && c.verdicts[k] == Claimed {
			keys = append(keys, sk)
		}
	}
	return keys
}

// opContext bounds one round trip.
func (s *Store) opContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.cfg.OpTimeout)
}
