package graph

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestUsageMemoReadsLikeTheParsers: through the memo, every header value
// in a sequence that repeats, changes, goes missing and comes back reads
// exactly as the exported parsers read it, and the exported parser still
// hands each caller a map of its own.
func TestUsageMemoReadsLikeTheParsers(t *testing.T) {
	headers := []struct{ buc, app string }{
		{buc: `{"102290129340398":[{"type":"whatsapp_business_management","call_count":37,"total_cputime":2,"total_time":4,"estimated_time_to_regain_access":0}]}`, app: `{"call_count":12,"total_cputime":3,"total_time":5}`},
		{buc: `{"102290129340398":[{"type":"whatsapp_business_management","call_count":37,"total_cputime":2,"total_time":4,"estimated_time_to_regain_access":0}]}`, app: `{"call_count":12,"total_cputime":3,"total_time":5}`},
		{buc: `{"102290129340398":[{"type":"whatsapp_business_management","call_count":100,"total_cputime":2,"total_time":4,"estimated_time_to_regain_access":7}]}`, app: `{"call_count":13,"total_cputime":3,"total_time":5}`},
		{},
		{buc: `not json`, app: `[]`},
		{buc: `{"102290129340398":[{"type":"whatsapp_business_management","call_count":37,"total_cputime":2,"total_time":4,"estimated_time_to_regain_access":0}]}`, app: `{"call_count":12,"total_cputime":3,"total_time":5}`},
	}
	for i, hv := range headers {
		h := http.Header{}
		if hv.buc != "" {
			h.Set(HeaderBusinessUseCaseUsage, hv.buc)
		}
		if hv.app != "" {
			h.Set(HeaderAppUsage, hv.app)
		}
		if diff := cmp.Diff(ParseBusinessUseCaseUsage(h), businessUsage(h)); diff != "" {
			t.Errorf("header %d: business usage through the memo differs (-parser +memo):\n%s", i, diff)
		}
		wantApp, wantOK := ParseAppUsage(h)
		if app, ok := appUsage(h); app != wantApp || ok != wantOK {
			t.Errorf("header %d: app usage through the memo = %+v %v, want %+v %v", i, app, ok, wantApp, wantOK)
		}
	}
	h := http.Header{HeaderBusinessUseCaseUsage: {headers[0].buc}}
	mine := ParseBusinessUseCaseUsage(h)
	delete(mine, "102290129340398")
	if len(ParseBusinessUseCaseUsage(h)) != 1 || len(businessUsage(h)) != 1 {
		t.Error("a caller that changes its parsed map changed what others read")
	}
}
