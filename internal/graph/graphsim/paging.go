package graphsim

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

const (
	defaultPageSize = 25
	maxPageSize     = 1000
	cursorPrefix    = "sim:"
)

// pageLocked cuts items into Meta's cursor envelope: data, and paging with
// cursors.before/after on a non-empty page and next only when more follow.
// It honours limit (default 25) and after/before cursors.
func pageLocked(r *http.Request, items []any) (any, *metaError) {
	q := r.URL.Query()
	limit := defaultPageSize
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return nil, errInvalidParam("Param limit must be a positive integer", "", "")
		}
		limit = min(n, maxPageSize)
	}
	start := 0
	if c := q.Get("after"); c != "" {
		i, ok := decodeCursor(c)
		if !ok {
			return nil, errInvalidParam("Invalid cursor", "", "")
		}
		start = i + 1
	} else if c := q.Get("before"); c != "" {
		i, ok := decodeCursor(c)
		if !ok {
			return nil, errInvalidParam("Invalid cursor", "", "")
		}
		start = max(0, i-limit)
	}
	start = min(start, len(items))
	end := min(start+limit, len(items))
	out := map[string]any{"data": nonNil(items[start:end])}
	if end == start {
		return out, nil
	}
	paging := map[string]any{
		"cursors": map[string]string{"before": encodeCursor(start), "after": encodeCursor(end - 1)},
	}
	if end < len(items) {
		paging["next"] = nextURL(r, limit, encodeCursor(end-1))
	}
	if start > 0 {
		paging["previous"] = prevURL(r, limit, encodeCursor(start))
	}
	out["paging"] = paging
	return out, nil
}

func nonNil(items []any) []any {
	if items == nil {
		return []any{}
	}
	return items
}

func encodeCursor(i int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(i)))
}

func decodeCursor(c string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), cursorPrefix) {
		return 0, false
	}
	i, err := strconv.Atoi(strings.TrimPrefix(string(b), cursorPrefix))
	return i, err == nil && i >= 0
}

// nextURL is the request's URL with the after cursor, without any
// access_token (the simulator never echoes credentials).
func nextURL(r *http.Request, limit int, after string) string {
	return pageURL(r, limit, "after", after, "before")
}

func prevURL(r *http.Request, limit int, before string) string {
	return pageURL(r, limit, "before", before, "after")
}

func pageURL(r *http.Request, limit int, key, cursor, drop string) string {
	q := url.Values{}
	for k, v := range r.URL.Query() {
		q[k] = v
	}
	q.Del("access_token")
	q.Del(drop)
	q.Set("limit", strconv.Itoa(limit))
	q.Set(key, cursor)
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.Path + "?" + q.Encode()
}
