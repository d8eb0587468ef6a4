package sharedstore

import (
	"context"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// maxBatch bounds the script calls sent in one round trip.
const maxBatch = 128

// call is one request's commands waiting for their round trip: a script
// call, or plain commands added by queue.
type call struct {
	script *redis.Script
	keys   []string
	args   []any
	queue  func(ctx context.Context, pipe redis.Pipeliner) []redis.Cmder
	ctx    context.Context
	done   chan []redis.Cmder
}

// batcher sends the script calls of concurrent requests together: one
// goroutine takes every call waiting, sends them in one pipeline (one
// write, one read, on each side), and hands out the answers. Under load a
// round trip carries many requests' claims and marks, which is what keeps
// the store's cost per webhook small; alone, a call goes at once.
type batcher struct {
	rdb     *redis.Client
	timeout time.Duration
	calls   chan *call
	stop    chan struct{}
	stopped chan struct{}
}

func newBatcher(rdb *redis.Client, timeout time.Duration) *batcher {
	b := &batcher{rdb: rdb, timeout: timeout, calls: make(chan *call, 4*maxBatch), stop: make(chan struct{}), stopped: make(chan struct{})}
	go b.loop()
	return b
}

// run sends one script call with the next round trip and waits for its
// answer (or ctx).
func (b *batcher) run(ctx context.Context, script *redis.Script, keys []string, args ...any) *redis.Cmd {
	cmds, err := b.do(ctx, &call{script: script, keys: keys, args: args})
	if err != nil {
		return failed(ctx, err)
	}
	return cmds[0].(*redis.Cmd)
}

// commands sends the commands queue adds to the pipeline with the next
// round trip and returns them answered.
func (b *batcher) commands(ctx context.Context, queue func(ctx context.Context, pipe redis.Pipeliner) []redis.Cmder) ([]redis.Cmder, error) {
	return b.do(ctx, &call{queue: queue})
}

func (b *batcher) do(ctx context.Context, c *call) ([]redis.Cmder, error) {
	c.ctx, c.done = ctx, make(chan []redis.Cmder, 1)
	select {
	case b.calls <- c:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-b.stop:
		return nil, redis.ErrClosed
	}
	select {
	case cmds := <-c.done:
		if cmds == nil {
			return nil, c.ctx.Err()
		}
		return cmds, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func failed(ctx context.Context, err error) *redis.Cmd {
	cmd := redis.NewCmd(ctx)
	cmd.SetErr(err)
	return cmd
}

// loop sends what is waiting, round trip after round trip.
func (b *batcher) loop() {
	defer close(b.stopped)
	batch := make([]*call, 0, maxBatch)
	for {
		select {
		case c := <-b.calls:
			batch = append(batch[:0], c)
		case <-b.stop:
			return
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case c := <-b.calls:
				batch = append(batch, c)
			default:
				break fill
			}
		}
		b.send(batch)
	}
}

// send runs one batch in a pipeline; a script the server does not hold
// yet (NOSCRIPT: first use, or a restarted server) is loaded and the
// batch sent once more.
func (b *batcher) send(batch []*call) {
	ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
	defer cancel()
	live := batch[:0:0]
	for _, c := range batch {
		if c.ctx.Err() == nil {
			live = append(live, c)
		} else {
			c.done <- nil
		}
	}
	if len(live) == 0 {
		return
	}
	cmds := b.exec(ctx, live)
	if noScript(cmds) {
		loaded := map[*redis.Script]bool{}
		for _, c := range live {
			if c.script != nil && !loaded[c.script] {
				loaded[c.script] = true
				_ = c.script.Load(ctx, b.rdb).Err()
			}
		}
		cmds = b.exec(ctx, live)
	}
	for i, c := range live {
		c.done <- cmds[i]
	}
}

// exec sends every call's commands (scripts as EVALSHA) in one pipeline.
func (b *batcher) exec(ctx context.Context, calls []*call) [][]redis.Cmder {
	pipe := b.rdb.Pipeline()
	cmds := make([][]redis.Cmder, len(calls))
	for i, c := range calls {
		if c.queue != nil {
			cmds[i] = c.queue(ctx, pipe)
		} else {
			cmds[i] = []redis.Cmder{c.script.EvalSha(ctx, pipe, c.keys, c.args...)}
		}
	}
	_, _ = pipe.Exec(ctx) // each command carries its own error
	return cmds
}

// noScript reports whether a command met NOSCRIPT.
func noScript(cmds [][]redis.Cmder) bool {
	for _, cs := range cmds {
		for _, c := range cs {
			if err := c.Err(); err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") {
				return true
			}
		}
	}
	return false
}

// close stops the loop; calls waiting get redis.ErrClosed.
func (b *batcher) close() {
	close(b.stop)
	<-b.stopped
}
