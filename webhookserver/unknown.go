package webhookserver

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"golang.org/x/sync/singleflight"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// numberConfirmer double-checks, against the API server itself, a phone
// number that no channel claims in the informer cache. The cache may lag
// the API server by a moment: a channel created (or verified) just now must
// not lose the message that arrives in that moment.
type numberConfirmer interface {
	// Claimed reports whether a channel of the provider claims the number
	// now; table is the cached route table the caller looked in.
	Claimed(ctx context.Context, table *RouteTable, phoneNumberID, displayNumber string) (bool, error)
}

// liveListTimeout bounds one list of channels from the API server. The list
// is shared by every check waiting for it, so it does not run under any one
// webhook's deadline; each caller still stops waiting at its own.
const liveListTimeout = 5 * time.Second

// liveConfirmer lists channels straight from the API server. A number found
// unclaimed is remembered for a while, and only for as long as the cached
// route table has not changed, so that steady traffic for a number of the
// WABA that no channel wants costs one list per recheck period. Concurrent
// checks (of one number or several) share one list.
type liveConfirmer struct {
	reader    client.Reader // not cached
	namespace string
	provider  string
	unclaimed *expirable.LRU[string, uint64] // phone number id → table generation
	lists     singleflight.Group
}

// newLiveConfirmer returns a confirmer remembering unclaimed numbers for ttl.
func newLiveConfirmer(reader client.Reader, namespace, provider string, ttl time.Duration) *liveConfirmer {
	return &liveConfirmer{
		reader:    reader,
		namespace: namespace,
		provider:  provider,
		unclaimed: expirable.NewLRU[string, uint64](1024, nil, ttl),
	}
}

// Claimed implements numberConfirmer.
func (c *liveConfirmer) Claimed(ctx context.Context, table *RouteTable, phoneNumberID, displayNumber string) (bool, error) {
	if gen, ok := c.unclaimed.Get(phoneNumberID); ok && gen == table.Generation {
		return false, nil
	}
	live, err := c.liveTable(ctx)
	if err != nil {
		return false, err
	}
	if _, ok := live.Lookup(phoneNumberID); ok {
		return true, nil
	}
	if _, ok := live.Claimed(phoneNumberID, displayNumber); ok {
		return true, nil
	}
	c.unclaimed.Add(phoneNumberID, table.Generation)
	return false, nil
}

// liveTable builds a route table from channels listed by the API server,
// joining a list already under way rather than starting another.
func (c *liveConfirmer) liveTable(ctx context.Context) (*RouteTable, error) {
	ch := c.lists.DoChan("channels", func() (any, error) {
		listCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), liveListTimeout)
		defer cancel()
		var channels whatsappv1alpha1.WhatsAppChannelList
		if err := c.reader.List(listCtx, &channels, client.InNamespace(c.namespace)); err != nil {
			return nil, fmt.Errorf("list WhatsAppChannels: %w", err)
		}
		provider := &whatsappv1alpha1.MetaProvider{}
		provider.Namespace, provider.Name = c.namespace, c.provider
		return BuildRouteTable(0, provider, channels.Items), nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*RouteTable), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
