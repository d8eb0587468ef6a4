// Package loadgen drives HTTP load at a server over loopback, for the
// benchmarks that compare the webhook server with a bare forwarder in the
// same run:
//
//   - ClosedLoop: a fixed number of keep-alive clients, each sending its
//     next request as soon as the last was answered: the most requests per
//     second the server sustains.
//   - OpenLoop: requests at a fixed rate whatever the answers, latency
//     measured from each request's scheduled time (so a stalled server is
//     not hidden by a stalled generator): p50 and p99 at that rate.
//
// Both refuse targets that are not loopback addresses and bound what they
// hold: a fixed number of clients or of requests in flight, one duration
// per request recorded. Both count the process's allocations and its peak
// memory while they run; the server, the generator and any stub in the
// same process are counted together, so compare figures measured the same
// way (ours against the baseline), not across machines.
//
// BareForwarder is the baseline: the least the job needs (verify the
// HMAC over the raw body, forward the raw body to one chatbot over a
// keep-alive client, answer 200 after the chatbot's 2xx).
//
// It is written by hand rather than on a load-testing library because the
// generator shares the CPU with the servers it measures: it must cost
// little and the same for both sides, with no per-request goroutine hops,
// added headers or result records of its own.
package loadgen
