package graph_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/graph"
)

func metaErr(status, code, subcode int) *graph.Error {
	return &graph.Error{HTTPStatus: status, Code: code, Subcode: subcode, FromMeta: true, Endpoint: graph.EndpointListTemplates}
}

func TestClassify(t *testing.T) {
	cases := map[string]struct {
		reason string
		err    error
		want   graph.Class
	}{
		"Nil":                               {reason: "no error, no class", err: nil, want: graph.ClassNone},
		"190":                               {reason: "invalid token", err: metaErr(401, 190, 463), want: graph.ClassBadCredentials},
		"190As400":                          {reason: "190 is bad credentials whatever the HTTP status", err: metaErr(400, 190, 0), want: graph.ClassBadCredentials},
		"0":                                 {reason: "AuthException", err: metaErr(401, 0, 0), want: graph.ClassBadCredentials},
		"3":                                 {reason: "capability", err: metaErr(500, 3, 0), want: graph.ClassPermission},
		"10":                                {reason: "permission denied", err: metaErr(403, 10, 0), want: graph.ClassPermission},
		"200":                               {reason: "API permission", err: metaErr(403, 200, 1349174), want: graph.ClassPermission},
		"299":                               {reason: "top of the 200–299 permission range", err: metaErr(403, 299, 0), want: graph.ClassPermission},
		"4":                                 {reason: "app rate limit arrives as HTTP 400", err: metaErr(400, 4, 0), want: graph.ClassRateLimited},
		"17":                                {reason: "user rate limit", err: metaErr(400, 17, 0), want: graph.ClassRateLimited},
		"32":                                {reason: "page rate limit", err: metaErr(400, 32, 0), want: graph.ClassRateLimited},
		"613":                               {reason: "custom rate limit", err: metaErr(400, 613, 0), want: graph.ClassRateLimited},
		"80007":                             {reason: "WABA rate limit", err: metaErr(400, 80007, 0), want: graph.ClassRateLimited},
		"130429":                            {reason: "throughput", err: metaErr(400, 130429, 0), want: graph.ClassRateLimited},
		"131056":                            {reason: "pair rate limit", err: metaErr(400, 131056, 0), want: graph.ClassRateLimited},
		"131047":                            {reason: "re-engagement window closed", err: metaErr(400, 131047, 0), want: graph.ClassWindowClosed},
		"132000":                            {reason: "template parameter mismatch", err: metaErr(400, 132000, 0), want: graph.ClassTemplate},
		"132001":                            {reason: "template missing (HTTP 404)", err: metaErr(404, 132001, 0), want: graph.ClassTemplate},
		"132015":                            {reason: "template paused", err: metaErr(400, 132015, 0), want: graph.ClassTemplate},
		"100/2388024":                       {reason: "duplicate name+language is a template problem", err: metaErr(400, 100, 2388024), want: graph.ClassTemplate},
		"100/2388023":                       {reason: "name held after deletion is a template problem", err: metaErr(400, 100, 2388023), want: graph.ClassTemplate},
		"100":                               {reason: "invalid parameter / object missing", err: metaErr(400, 100, 33), want: graph.ClassNotFound},
		"131009":                            {reason: "parameter value invalid", err: metaErr(400, 131009, 0), want: graph.ClassNotFound},
		"133010":                            {reason: "number not registered", err: metaErr(400, 133010, 0), want: graph.ClassNotFound},
		"1":                                 {reason: "unknown error", err: metaErr(500, 1, 0), want: graph.ClassTransient},
		"2":                                 {reason: "service unavailable", err: metaErr(503, 2, 0), want: graph.ClassTransient},
		"131000":                            {reason: "something went wrong", err: metaErr(500, 131000, 0), want: graph.ClassTransient},
		"131016":                            {reason: "service unavailable", err: metaErr(503, 131016, 0), want: graph.ClassTransient},
		"131057":                            {reason: "account maintenance", err: metaErr(400, 131057, 0), want: graph.ClassTransient},
		"133016":                            {reason: "too many register attempts: a limit of 10 per 72 hours, waited out, not retried with backoff", err: metaErr(400, 133016, 0), want: graph.ClassRateLimited},
		"UnknownCode5xx":                    {reason: "an unknown code on a 5xx is transient", err: metaErr(502, 999999, 0), want: graph.ClassTransient},
		"UnknownCode400":                    {reason: "an unknown code on a 400 is permanent", err: metaErr(400, 999999, 0), want: graph.ClassPermanent},
		"IsTransientFlag":                   {reason: "Meta's is_transient is honoured", err: &graph.Error{HTTPStatus: 400, Code: 131026, FromMeta: true, Transient: true}, want: graph.ClassTransient},
		"No object 502":                     {reason: "a proxy's 502 without Meta's object is transient", err: &graph.Error{HTTPStatus: 502}, want: graph.ClassTransient},
		"No object 429":                     {reason: "a bare 429 is rate limited", err: &graph.Error{HTTPStatus: 429}, want: graph.ClassRateLimited},
		"NoCode500":                         {reason: "an error object without a code on a 500 is transient, not code 0", err: &graph.Error{HTTPStatus: 500, FromMeta: true, NoCode: true}, want: graph.ClassTransient},
		"NoCode401":                         {reason: "an error object without a code never flips credentials", err: &graph.Error{HTTPStatus: 401, FromMeta: true, NoCode: true}, want: graph.ClassPermanent},
		"No object 401":                     {reason: "a 401 without Meta's code never flips credentials", err: &graph.Error{HTTPStatus: 401}, want: graph.ClassPermanent},
		"Wrapped":                           {reason: "wrapping keeps the class", err: fmt.Errorf("reconcile: %w", metaErr(401, 190, 0)), want: graph.ClassBadCredentials},
		"DeadlineExceeded":                  {reason: "a context deadline is transient", err: context.DeadlineExceeded, want: graph.ClassTransient},
		"Canceled":                          {reason: "a cancelled context is transient", err: fmt.Errorf("x: %w", context.Canceled), want: graph.ClassTransient},
		"NetError":                          {reason: "a connection error is transient", err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}, want: graph.ClassTransient},
		"TransportError":                    {reason: "a transport error is transient", err: &graph.TransportError{Endpoint: "x"}, want: graph.ClassTransient},
		"LimitError":                        {reason: "a local refusal is rate limited", err: &graph.LimitError{Budget: graph.BudgetManagement, RetryAfter: time.Second}, want: graph.ClassRateLimited},
		"EditLimit":                         {reason: "Meta refusing an edit for its budget is rate limited", err: &graph.Error{HTTPStatus: 400, Code: 100, FromMeta: true, Endpoint: graph.EndpointEditTemplate, UserTitle: "Template edit limit reached"}, want: graph.ClassRateLimited},
		"Code100OnEditOther":                {reason: "other 100s on edit stay not-found/invalid", err: &graph.Error{HTTPStatus: 400, Code: 100, FromMeta: true, Endpoint: graph.EndpointEditTemplate, UserTitle: "Template can't be edited"}, want: graph.ClassNotFound},
		"PlainError":                        {reason: "anything else is permanent", err: errors.New("boom"), want: graph.ClassPermanent},
		"CallbackVerification":              {reason: "2200: Meta could not verify the callback URL; retrying does not fix it", err: metaErr(400, 2200, 0), want: graph.ClassPermanent},
		"CallbackVerificationTransientFlag": {reason: "2200 stays permanent even with is_transient", err: &graph.Error{HTTPStatus: 400, Code: 2200, FromMeta: true, Transient: true}, want: graph.ClassPermanent},
		"131048":                            {reason: "spam rate limit", err: metaErr(400, 131048, 0), want: graph.ClassRateLimited},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := graph.Classify(tc.err); got != tc.want {
				t.Errorf("%s: Classify = %q, want %q", tc.reason, got, tc.want)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	cases := map[string]struct {
		reason string
		err    error
		want   time.Duration
	}{
		"Meta":    {reason: "carried on *Error", err: fmt.Errorf("w: %w", &graph.Error{RetryAfter: time.Minute}), want: time.Minute},
		"Local":   {reason: "carried on *LimitError", err: &graph.LimitError{RetryAfter: 3 * time.Second}, want: 3 * time.Second},
		"Unknown": {reason: "0 when unknown", err: errors.New("x"), want: 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := graph.RetryAfter(tc.err); got != tc.want {
				t.Errorf("%s: got %s, want %s", tc.reason, got, tc.want)
			}
		})
	}
}
