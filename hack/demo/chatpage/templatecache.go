package chatpage

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/kubechat/whatsapp-operator/hack/demo/simctl"
)

// templateCache holds the templates' components as Meta holds them, read
// from the simulator when a template message names one it does not know.
type templateCache struct {
	sim   *simctl.Client
	mu    sync.Mutex
	byKey map[string][]templateComponent // name + "/" + language
}

func newTemplateCache(sim *simctl.Client) *templateCache {
	return &templateCache{sim: sim, byKey: map[string][]templateComponent{}}
}

// lookup returns a templateLookup that refreshes the cache once on a miss.
func (c *templateCache) lookup(ctx context.Context) templateLookup {
	return func(name, language string) ([]templateComponent, bool) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if comps, ok := c.byKey[name+"/"+language]; ok {
			return comps, true
		}
		st, err := c.sim.State(ctx)
		if err != nil {
			return nil, false
		}
		for _, w := range st.WABAs {
			for _, t := range w.Templates {
				var comps []templateComponent
				if json.Unmarshal(t.Components, &comps) == nil {
					c.byKey[t.Name+"/"+t.Language] = comps
				}
			}
		}
		comps, ok := c.byKey[name+"/"+language]
		return comps, ok
	}
}
