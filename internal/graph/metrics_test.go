package graph_test

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kubechat/whatsapp-operator/internal/graph"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

func TestRegisterMetrics(t *testing.T) {
	cases := map[string]struct {
		reason string
		reg    func() []prometheus.Registerer
	}{
		"Twice": {
			reason: "registering twice on one registry is not an error (tests call it freely)",
			reg: func() []prometheus.Registerer {
				r := prometheus.NewRegistry()
				return []prometheus.Registerer{r, r}
			},
		},
		"TwoRegistries": {
			reason: "each registry may hold the collectors",
			reg: func() []prometheus.Registerer {
				return []prometheus.Registerer{prometheus.NewRegistry(), prometheus.NewRegistry()}
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			for _, r := range tc.reg() {
				if err := graph.RegisterMetrics(r); err != nil {
					t.Fatalf("%s: %v", tc.reason, err)
				}
			}
		})
	}
}

func TestMetricsCountByEndpointAndOutcome(t *testing.T) {
	reg := prometheus.NewRegistry()
	if err := graph.RegisterMetrics(reg); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	count := func(name string, labels map[string]string) float64 {
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		var total float64
		for _, f := range families {
			if f.GetName() != name {
				continue
			}
		metrics:
			for _, m := range f.GetMetric() {
				for _, l := range m.GetLabel() {
					if v, ok := labels[l.GetName()]; ok && v != l.GetValue() {
						continue metrics
					}
				}
				if m.GetCounter() != nil {
					total += m.GetCounter().GetValue()
				}
				if m.GetHistogram() != nil {
					total += float64(m.GetHistogram().GetSampleCount())
				}
			}
		}
		return total
	}
	okBefore := count("whatsapp_graph_requests_total", map[string]string{"endpoint": graph.EndpointGetBusinessAccount, "outcome": "success"})
	rlBefore := count("whatsapp_graph_rate_limit_hits_total", map[string]string{"endpoint": graph.EndpointListTemplates, "source": "meta"})
	latBefore := count("whatsapp_graph_request_duration_seconds", map[string]string{"endpoint": graph.EndpointGetBusinessAccount})

	if _, err := e.client.GetBusinessAccount(context.Background(), wabaID); err != nil {
		t.Fatal(err)
	}
	e.sim.InjectFault(graphsim.Fault{Endpoint: graphsim.EndpointListTemplates, Kind: graphsim.FaultRateLimit, Times: 1})
	_, _ = e.client.ListTemplates(context.Background(), wabaID, graph.TemplateFilter{})

	if d := count("whatsapp_graph_requests_total", map[string]string{"endpoint": graph.EndpointGetBusinessAccount, "outcome": "success"}) - okBefore; d != 1 {
		t.Errorf("one successful call should count once, got %v", d)
	}
	if d := count("whatsapp_graph_rate_limit_hits_total", map[string]string{"endpoint": graph.EndpointListTemplates, "source": "meta"}) - rlBefore; d != 1 {
		t.Errorf("Meta's rate limit should count as a hit, got %v", d)
	}
	if d := count("whatsapp_graph_request_duration_seconds", map[string]string{"endpoint": graph.EndpointGetBusinessAccount}) - latBefore; d != 1 {
		t.Errorf("the RoundTripper should observe latency once, got %v", d)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range families {
		found = found || f.GetName() == "whatsapp_graph_usage_ratio"
	}
	if !found {
		t.Errorf("the usage gauge should have a series after a WABA call")
	}
}

// TestUsageGaugeIsARatio: Meta reports usage in percent; the gauge holds a
// share of the budget (Prometheus' base unit), so 80% reads 0.8 and an
// alert compares with 0.75. Not parallel: the gauge is process-wide.
func TestUsageGaugeIsARatio(t *testing.T) {
	reg := prometheus.NewRegistry()
	if err := graph.RegisterMetrics(reg); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	if err := e.sim.SetUsage(wabaID, graphsim.Usage{CallCount: 80, TotalCPUTime: 10, TotalTime: 20}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.GetBusinessAccount(context.Background(), wabaID); err != nil {
		t.Fatal(err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "whatsapp_graph_usage_ratio" {
			continue
		}
		for _, m := range f.GetMetric() {
			if len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == "business" {
				if v := m.GetGauge().GetValue(); v != 0.8 {
					t.Errorf("business usage = %v, want 0.8 for Meta's 80%%", v)
				}
				return
			}
		}
	}
	t.Error("no whatsapp_graph_usage_ratio{header=\"business\"} series after a call answered with a usage header")
}
