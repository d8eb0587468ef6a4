package metricinventory

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
)

// noPercent is the project's rule promlint does not have: a share is a
// ratio from 0 to 1 named _ratio, never a percentage (Prometheus'
// naming guide: base units).
func noPercent(mf *dto.MetricFamily) []error {
	if strings.Contains(mf.GetName(), "percent") {
		return []error{fmt.Errorf("a share is a ratio from 0 to 1 named _ratio, not a percentage")}
	}
	return nil
}

// TestMetricNamesFollowPrometheusConventions runs client_golang's promlint
// (what `promtool check metrics` runs) over every program's metrics, with
// the _ratio rule added.
func TestMetricNamesFollowPrometheusConventions(t *testing.T) {
	regs, err := Registries()
	if err != nil {
		t.Fatal(err)
	}
	for program, reg := range regs {
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		l := promlint.NewWithMetricFamilies(families)
		l.AddCustomValidations(noPercent)
		problems, err := l.Lint()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Errorf("%s: %s: %s", program, p.Metric, p.Text)
		}
		if len(families) == 0 {
			t.Errorf("%s: no metric gathered", program)
		}
	}
}

func TestNoPercentRuleFires(t *testing.T) {
	name := "whatsapp_graph_usage_percent"
	if errs := noPercent(&dto.MetricFamily{Name: &name}); len(errs) != 1 {
		t.Errorf("noPercent(%s) = %v, want one problem", name, errs)
	}
}
