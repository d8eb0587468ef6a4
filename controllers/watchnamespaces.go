package controllers

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-runtime/pkg/cache"

	"github.com/kubechat/whatsapp-operator/internal/webhookresources"
)

// ParseWatchNamespaces reads the --watch-namespaces flag: a comma-separated
// list of namespace names. Empty means every namespace. Blanks around names
// are ignored; an empty entry or a name that cannot be a namespace is an
// error naming it, so a typo fails at start-up instead of leaving a team's
// namespace silently unwatched.
func ParseWatchNamespaces(flag string) ([]string, error) {
	if strings.TrimSpace(flag) == "" {
		return nil, nil
	}
	var out []string
	for _, part := range strings.Split(flag, ",") {
		ns := strings.TrimSpace(part)
		if ns == "" {
			return nil, fmt.Errorf("--watch-namespaces %q: empty namespace name in the list", flag)
		}
		if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
			return nil, fmt.Errorf("--watch-namespaces: %q is not a namespace name: %s", ns, strings.Join(errs, "; "))
		}
		if !slices.Contains(out, ns) {
			out = append(out, ns)
		}
	}
	slices.Sort(out)
	return out, nil
}

// CacheOptions is the manager's cache configuration. The kinds the
// operator writes for webhook servers are cached only where they carry its
// label, never every Deployment or Service of the cluster. With namespaces
// (--watch-namespaces) every kind is cached and watched in those namespaces
// only, so the operator reconciles nothing elsewhere and needs only Roles
// there (docs/decisions/014-namespace-scoped-mode.md).
func CacheOptions(namespaces []string) cache.Options {
	o := cache.Options{ByObject: webhookresources.CacheByObject()}
	if len(namespaces) > 0 {
		o.DefaultNamespaces = map[string]cache.Config{}
		for _, ns := range namespaces {
			o.DefaultNamespaces[ns] = cache.Config{}
		}
	}
	return o
}
