package controllers

import (
	"errors"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/kubechat/whatsapp-operator/internal/conditions"
)

// settle applies a typed outcome (retryLater, waitForUser, permanent) that
// a sync returned as its error: it marks the object's conditions and turns
// the outcome into the work queue's result. Any other error is returned as
// it is (an API server failure: the queue backs off); a nil error leaves
// res as the sync chose it.
func settle(obj conditions.Setter, res ctrl.Result, err error) (ctrl.Result, error) {
	var (
		later *retryLater
		user  *waitForUser
		perm  *permanent
	)
	switch {
	case errors.As(err, &later):
		if later.idle {
			conditions.MarkNotReady(obj, later.reason, later.message)
		} else {
			conditions.MarkReconciling(obj, later.reason, later.message)
		}
		if later.after > 0 {
			return ctrl.Result{RequeueAfter: later.after}, nil
		}
		return ctrl.Result{}, later.cause
	case errors.As(err, &user):
		conditions.MarkStalled(obj, user.reason, user.message)
		return ctrl.Result{RequeueAfter: user.recheck}, nil
	case errors.As(err, &perm):
		conditions.MarkStalled(obj, perm.reason, perm.message)
		return ctrl.Result{}, nil
	}
	return res, err
}

// outcomeReason is the condition reason an outcome sets, or fallback for
// any other error.
func outcomeReason(err error, fallback string) string {
	if reason, _, ok := outcomeText(err); ok {
		return reason
	}
	return fallback
}

// outcomeText returns the condition reason and message a typed outcome
// sets; ok is false for any other error.
func outcomeText(err error) (reason, message string, ok bool) {
	var (
		later *retryLater
		user  *waitForUser
		perm  *permanent
	)
	switch {
	case errors.As(err, &later):
		return later.reason, later.message, true
	case errors.As(err, &user):
		return user.reason, user.message, true
	case errors.As(err, &perm):
		return perm.reason, perm.message, true
	}
	return "", "", false
}
