package graph_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

func TestPaging(t *testing.T) {
	cases := map[string]struct {
		reason    string
		seed      func(*testing.T, *graphsim.Server)
		list      func(*graph.Client) (int, error)
		endpoint  string
		wantItems int
		wantCalls int
	}{
		"Templates250": {
			reason: "250 templates at limit=100 take three pages, the last without paging.next",
			seed: func(t *testing.T, s *graphsim.Server) {
				for i := range 250 {
					seedTemplate(t, s, fmt.Sprintf("tpl_%03d", i), "en", "APPROVED")
				}
			},
			list: func(c *graph.Client) (int, error) {
				l, err := c.ListTemplates(context.Background(), wabaID, graph.TemplateFilter{})
				return len(l), err
			},
			endpoint: graphsim.EndpointListTemplates, wantItems: 250, wantCalls: 3,
		},
		"TemplatesExactPage": {
			reason: "exactly 100 templates fit one page",
			seed: func(t *testing.T, s *graphsim.Server) {
				for i := range 100 {
					seedTemplate(t, s, fmt.Sprintf("tpl_%03d", i), "en", "APPROVED")
				}
			},
			list: func(c *graph.Client) (int, error) {
				l, err := c.ListTemplates(context.Background(), wabaID, graph.TemplateFilter{})
				return len(l), err
			},
			endpoint: graphsim.EndpointListTemplates, wantItems: 100, wantCalls: 1,
		},
		"PhoneNumbers130": {
			reason: "131 numbers (130 seeded + 1) take two pages",
			seed: func(t *testing.T, s *graphsim.Server) {
				for i := range 130 {
					if _, err := s.AddPhoneNumber(wabaID, graphsim.PhoneNumber{DisplayPhoneNumber: fmt.Sprintf("+1 202-555-%04d", i)}); err != nil {
						t.Fatal(err)
					}
				}
			},
			list: func(c *graph.Client) (int, error) {
				l, err := c.ListPhoneNumbers(context.Background(), wabaID)
				return len(l), err
			},
			endpoint: graphsim.EndpointListPhoneNumbers, wantItems: 131, wantCalls: 2,
		},
		"Empty": {
			reason: "an empty list is one call and no items",
			seed:   func(*testing.T, *graphsim.Server) {},
			list: func(c *graph.Client) (int, error) {
				l, err := c.ListTemplates(context.Background(), wabaID, graph.TemplateFilter{})
				return len(l), err
			},
			endpoint: graphsim.EndpointListTemplates, wantItems: 0, wantCalls: 1,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			tc.seed(t, e.sim)
			n, err := tc.list(e.client)
			if err != nil {
				t.Fatalf("%s: %v", tc.reason, err)
			}
			if n != tc.wantItems {
				t.Errorf("%s: %d items, want %d", tc.reason, n, tc.wantItems)
			}
			if c := e.sim.Calls(tc.endpoint); c != tc.wantCalls {
				t.Errorf("%s: %d calls, want %d", tc.reason, c, tc.wantCalls)
			}
		})
	}
}

func TestPagingFailsMidway(t *testing.T) {
	e := newEnv(t)
	for i := range 150 {
		seedTemplate(t, e.sim, fmt.Sprintf("tpl_%03d", i), "en", "APPROVED")
	}
	e.sim.InjectFault(graphsim.Fault{Endpoint: graphsim.EndpointListTemplates, Kind: graphsim.FaultError, Status: 400, Code: 100, Message: "(#100) Invalid cursor"})
	list, err := e.client.ListTemplates(context.Background(), wabaID, graph.TemplateFilter{})
	if err == nil || list != nil {
		t.Fatalf("a failing page fails the listing (no partial list), got %d items, %v", len(list), err)
	}
}
