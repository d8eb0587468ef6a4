package controllers

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/mediafetch"
)

// Reuse of an uploaded sample's handle.
const (
	// handleMargin: a handle is not reused this close to its expiry.
	handleMargin = time.Hour
	// handleReuse: how long a handle without an expiry is reused.
	handleReuse = 24 * time.Hour
	// mediaRetry: how soon a sample that failed to fetch for a reason
	// that may pass is fetched again.
	mediaRetry = time.Minute
)

// handleExpiry finds the ":e:<unix seconds>:" Meta writes into a handle.
var handleExpiry = regexp.MustCompile(`:e:([0-9]{9,12}):`)

// payload is what a create or edit sends: the desired template with a
// media header's sample URL replaced by the handle Meta's Resumable Upload
// API answered for it. Only a create or an edit needs it, so a template
// Meta already holds as specified costs no fetch and no upload.
func (s *templateSync) payload(ctx context.Context) (graph.TemplateSpec, error) {
	h := s.t.Spec.Header
	if h == nil || h.ExampleURL == "" {
		return s.desired, nil
	}
	handle, err := s.mediaHandle(ctx, h)
	if err != nil {
		return graph.TemplateSpec{}, err
	}
	out := s.desired
	out.Components = append([]graph.Component(nil), s.desired.Components...)
	for i, c := range out.Components {
		if c.Type == "HEADER" {
			c.Example = &graph.ComponentExample{HeaderHandle: []string{handle}}
			out.Components[i] = c
		}
	}
	return out, nil
}

// mediaHandle returns a handle for the header's sample: the one in status
// while the URL is the same and the handle valid; otherwise the sample is
// fetched, and uploaded unless its content is the one uploaded before.
func (s *templateSync) mediaHandle(ctx context.Context, h *whatsappv1alpha1.TemplateHeader) (string, error) {
	t := s.t
	appID := s.provider.Spec.AppID
	if appID == "" {
		return "", &waitForUser{reason: whatsappv1alpha1.ReasonMediaNeedsAppID,
			message: fmt.Sprintf("the %s header of %s needs spec.appID of MetaProvider %s: Meta takes a media sample only as a file uploaded to the app (Resumable Upload API), not as a URL",
				h.Format, s.name, s.provider.Name)}
	}
	ex := t.Status.HeaderExample
	if ex != nil && ex.URL == h.ExampleURL && s.handleValid(ex) {
		return ex.Handle, nil
	}
	kind, _ := mediafetch.KindOf(h.Format)
	media, err := s.opts.MediaFetcher.Fetch(ctx, h.ExampleURL, kind)
	if err != nil {
		return "", s.mediaFailure(err)
	}
	if ex != nil && ex.SHA256 == media.SHA256 && s.handleValid(ex) {
		ex.URL = h.ExampleURL // the same file at another address
		return ex.Handle, nil
	}
	handle, err := s.graph.Upload(ctx, appID, media.FileName, media.MIMEType, media.Data)
	if err != nil {
		return "", graphOutcome(err, graphCall{interval: s.interval, refusal: whatsappv1alpha1.ReasonMediaExampleInvalid, spec: true})
	}
	now := metav1.NewTime(s.now())
	t.Status.HeaderExample = &whatsappv1alpha1.HeaderExampleStatus{URL: h.ExampleURL, SHA256: media.SHA256, Handle: handle, UploadTime: &now}
	s.event(t, true, "SampleUploaded", fmt.Sprintf("uploaded the %s header sample of %s (%s, %d bytes, sha256 %.12s) to Meta", h.Format, s.name, media.MIMEType, len(media.Data), media.SHA256))
	return handle, nil
}

// handleValid tells whether an uploaded sample's handle may be named
// again: before the expiry Meta wrote into it, or for a day when it has
// none.
func (s *templateSync) handleValid(ex *whatsappv1alpha1.HeaderExampleStatus) bool {
	if ex.Handle == "" || ex.UploadTime == nil {
		return false
	}
	if m := handleExpiry.FindStringSubmatch(ex.Handle); m != nil {
		if unix, err := strconv.ParseInt(m[1], 10, 64); err == nil {
			return s.now().Add(handleMargin).Before(time.Unix(unix, 0))
		}
	}
	return s.now().Sub(ex.UploadTime.Time) < handleReuse
}

// mediaFailure reads a failed fetch: a sample that cannot work needs the
// URL fixed; one that may pass is fetched again a minute later.
func (s *templateSync) mediaFailure(err error) error {
	var fe *mediafetch.Error
	if !errors.As(err, &fe) {
		return err
	}
	msg := fmt.Sprintf("the header sample of %s, %s", s.name, fe.Error())
	if fe.Temporary {
		return &retryLater{reason: whatsappv1alpha1.ReasonMediaExampleUnavailable, message: msg, after: mediaRetry}
	}
	return &waitForUser{reason: whatsappv1alpha1.ReasonMediaExampleInvalid, message: msg + ": fix spec.header.exampleURL", recheck: jitter(s.interval)}
}
