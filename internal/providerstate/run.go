package providerstate

import (
	"context"
	"fmt"
)

// Run starts the caches, hands the first Snapshot to OnChange once they
// synced, then a new one on every provider or channel event until ctx
// ends. The credentials watch follows the provider's Secret.
func (s *State) Run(ctx context.Context) error {
	s.secrets.start(ctx)
	defer s.secrets.Stop()
	cacheErr := make(chan error, 1)
	go func() { cacheErr <- s.cache.Start(ctx) }()
	if !s.cache.WaitForCacheSync(ctx) {
		select {
		case err := <-cacheErr:
			return fmt.Errorf("start caches: %w", err)
		default:
			return ctx.Err()
		}
	}
	if err := s.rebuild(ctx); err != nil {
		return err
	}
	s.synced.Store(true)
	s.opts.Logger.Info("caches synced")
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-cacheErr:
			if err != nil {
				return fmt.Errorf("caches stopped: %w", err)
			}
			return nil
		case <-s.trigger:
			if err := s.rebuild(ctx); err != nil {
				s.opts.Logger.Error(err, "cannot read the provider and its channels; keeping the previous view")
			}
		}
	}
}

// poke asks for a rebuild; bursts of events coalesce into one.
func (s *State) poke() {
	select {
	case s.trigger <- struct{}{}:
	default:
	}
}

// rebuild reads the provider and channels from the cache, hands them to
// OnChange and makes the Secret watch follow the provider.
func (s *State) rebuild(ctx context.Context) error {
	provider, err := s.Provider(ctx)
	if err != nil {
		return err
	}
	channels, err := s.Channels(ctx)
	if err != nil {
		return err
	}
	if s.opts.OnChange != nil {
		s.opts.OnChange(Snapshot{Provider: provider, Channels: channels})
	}
	if provider == nil {
		s.opts.Logger.Info("MetaProvider not found: credentials are unloaded")
	}
	s.secrets.Ensure(s.opts.Secret.secretName(provider))
	return nil
}
