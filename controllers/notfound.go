package controllers

import apierrors "k8s.io/apimachinery/pkg/api/errors"

// ignoreNotFound returns nil for the API server's NotFound, err otherwise:
// an object deleted meanwhile needs nothing more.
func ignoreNotFound(err error) error {
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
