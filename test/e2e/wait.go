package e2e

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// PollInterval is how often Eventually checks again.
const PollInterval = 50 * time.Millisecond

// Eventually checks cond every PollInterval until it reports true, and
// fails when within passes or ctx ends, naming what it waited for and the
// last error cond returned (an error means "not yet", unless it is Final).
func Eventually(ctx context.Context, within time.Duration, what string, cond func(context.Context) (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	var last error
	for {
		ok, err := cond(ctx)
		if ok && err == nil {
			return nil
		}
		if err != nil {
			last = err
			var final finalError
			if errors.As(err, &final) {
				return fmt.Errorf("%s: %w", what, final.error)
			}
		}
		select {
		case <-ctx.Done():
			if last != nil {
				return fmt.Errorf("not within %s: %s (last: %w)", within, what, last)
			}
			return fmt.Errorf("not within %s: %s", within, what)
		case <-time.After(PollInterval):
		}
	}
}

// finalError makes Eventually give up at once.
type finalError struct{ error }

// Final wraps err so that Eventually stops waiting and returns it.
func Final(err error) error { return finalError{err} }

// Conditioned is an object of this project with status conditions.
type Conditioned interface {
	client.Object
	GetConditions() []metav1.Condition
}

// HasCondition reports whether obj has the condition with status (and
// reason, unless empty) for its current generation.
func HasCondition(obj Conditioned, condType string, status metav1.ConditionStatus, reason string) bool {
	for _, c := range obj.GetConditions() {
		if c.Type == condType && c.Status == status && (reason == "" || c.Reason == reason) && c.ObservedGeneration == obj.GetGeneration() {
			return true
		}
	}
	return false
}

// WaitCondition re-reads obj until HasCondition holds, leaving obj freshly
// read; its error lists the conditions last seen.
func (s *Stack) WaitCondition(ctx context.Context, obj Conditioned, condType string, status metav1.ConditionStatus, reason string, within time.Duration) error {
	what := fmt.Sprintf("%T %s: %s=%s %s", obj, obj.GetName(), condType, status, reason)
	return Eventually(ctx, within, what, func(ctx context.Context) (bool, error) {
		if err := s.Client.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			return false, err
		}
		if HasCondition(obj, condType, status, reason) {
			return true, nil
		}
		return false, errors.New("conditions: " + DescribeConditions(obj.GetConditions()))
	})
}

// DescribeConditions renders conditions as "Type=Status Reason: message; ...".
func DescribeConditions(cs []metav1.Condition) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%s=%s %s: %s", c.Type, c.Status, c.Reason, c.Message))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}
