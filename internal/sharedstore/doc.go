// Package sharedstore keeps what several replicas of one MetaProvider's
// workloads must agree on in a Redis-protocol store (Redis, Valkey or a
// managed service): the webhook server's delivery claims (exactly once to
// the chatbot across replicas) and the relay's per-number send budget (one
// rate across replicas). Without a store each replica keeps both in memory.
//
// A store outage never loses or blocks a message: every operation here
// fails fast once the store failed (Health), and callers fall back to what
// one replica can do alone: the webhook server delivers at least once, the
// relay paces at its share of the rate.
//
// Key layout (decision 022), for provider NAME in namespace NS and the
// provider's spec.sharedState.redis.keyPrefix P (empty, or ending in ':'):
//
//	P NS/NAME:d:HEX            a delivery claim ("c…", lease) or done mark ("d", dedupe TTL);
//	                           HEX is 128 bits of SHA-256 of the dedupe key
//	rate:P NS/NAME:s:PNID      a phone number's send budget (GCRA state of redis_rate,
//	                           which adds the "rate:" prefix)
//
// Namespace and name contain neither ':' nor '/', and P ends in ':', so a
// key names exactly one provider whatever prefix another provider picks.
//
// Files:
//
//	config.go   Config: address, database, TLS, credentials, prefix, TTLs; flags
//	client.go   Open: the go-redis client, password read from a file at each dial
//	keys.go     the key layout above
//	health.go   fail fast after an error, log once a minute, up/down for metrics
//	claims.go   Claim / Done / Release of delivery keys (SET NX GET with a lease)
//	batcher.go  concurrent requests' commands share one pipelined round trip
//	budget.go   the shared send budget (GCRA through redis_rate), local share on failure
//	metrics.go  errors, fallbacks and the store's state, for Prometheus
package sharedstore
