// Package retryload is the load of issue 10's exactly-once scenarios, as
// Meta sends it to webhook server replicas behind a Service: signed
// batches of text messages for two numbers whose chatbots differ, each
// batch sent again (to another replica) until it is acknowledged, some
// sent twice at once; and the chatbots that count, by message id, what
// reached them. The in-process tests of the webhook server
// (webhookserver) and the process tests (test/scaleout) drive the same
// load, so that what one proves the other means the same way.
//
//	bot.go         Bot: a loopback chatbot counting accepted ids; refuses a batch's first delivery on demand
//	roundrobin.go  RoundRobin: a loopback reverse proxy over replicas, the retry steered to another one
//	batch.go       Batch: the signed body of batch n and its message ids per number
//	load.go        Load: Deliver (Meta's retries), Run (concurrent senders, duplicates), Counts, Early
package retryload
