package graph

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

const (
	// pageSize is the limit asked for on every listing (Meta's maximum for
	// most edges).
	pageSize = 100
	// maxPages stops a listing whose cursors never end.
	maxPages     = 1000
	errFmtCursor = "graph %s: paging did not end after %d pages (cursor repeated or endless)"
)

// page is Meta's list envelope.
type page[T any] struct {
	Data   []T `json:"data"`
	Paging struct {
		Cursors struct {
			Before string `json:"before"`
			After  string `json:"after"`
		} `json:"cursors"`
		Next string `json:"next"`
	} `json:"paging"`
}

// listAll follows cursors until paging.next is absent and returns every
// item. It passes the after cursor itself rather than following
// paging.next, which names Meta's host and could carry credentials.
func listAll[T any](ctx context.Context, c *Client, cl call) ([]T, error) {
	var all []T
	seen := map[string]bool{}
	base := cl.query
	for n := 0; n < maxPages; n++ {
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		if q.Get("limit") == "" {
			q.Set("limit", strconv.Itoa(pageSize))
		}
		cl.query = q
		var p page[T]
		if err := c.do(ctx, cl, &p); err != nil {
			return nil, err
		}
		all = append(all, p.Data...)
		after := p.Paging.Cursors.After
		if p.Paging.Next == "" || after == "" {
			return all, nil
		}
		if seen[after] {
			break
		}
		seen[after] = true
		base = withCursor(base, after)
	}
	return nil, fmt.Errorf(errFmtCursor, cl.endpoint, maxPages)
}

func withCursor(q url.Values, after string) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	out.Set("after", after)
	return out
}
