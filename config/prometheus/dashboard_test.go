package prometheus

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// grafanaVariables are what the dashboard's queries may use, replaced by
// a value Prometheus' parser accepts before the query is checked.
var grafanaVariables = strings.NewReplacer("$__rate_interval", "5m", "$__interval", "1m", "$namespace", ".*")

type dashboardPanel struct {
	Title   string `json:"title"`
	Type    string `json:"type"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	Panels []dashboardPanel `json:"panels"`
}

// TestDashboardQueriesNameOnlyExportedMetrics: every query of the Grafana
// dashboard, its namespace variable's included, parses and names only
// metrics and labels the programs export.
func TestDashboardQueriesNameOnlyExportedMetrics(t *testing.T) {
	raw, err := os.ReadFile("grafana/whatsapp-operator.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		UID        string           `json:"uid"`
		Panels     []dashboardPanel `json:"panels"`
		Templating struct {
			List []struct {
				Name       string `json:"name"`
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	if d.UID == "" {
		t.Error("the dashboard has no uid: links to it would break on every import")
	}
	known := selectable(t)
	queries := 0
	var walk func([]dashboardPanel)
	walk = func(ps []dashboardPanel) {
		for _, p := range ps {
			for _, target := range p.Targets {
				queries++
				expr := grafanaVariables.Replace(target.Expr)
				if strings.Contains(expr, "$") {
					t.Errorf("panel %q uses a variable the dashboard does not define: %s", p.Title, target.Expr)
					continue
				}
				reportExpr(t, "panel "+p.Title, expr, known)
			}
			if p.Type != "row" && len(p.Targets) == 0 {
				t.Errorf("panel %q has no query", p.Title)
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	if queries < 10 {
		t.Errorf("read %d queries from the dashboard: the reader lost some", queries)
	}
	labelValues := regexp.MustCompile(`^label_values\(([a-z_:]+), *([a-z_]+)\)$`)
	for _, v := range d.Templating.List {
		if v.Definition == "" {
			continue
		}
		m := labelValues.FindStringSubmatch(v.Definition)
		if m == nil {
			t.Errorf("variable %s: %q is not label_values(metric, label)", v.Name, v.Definition)
			continue
		}
		if s, ok := known[m[1]]; !ok || !slices.Contains(s.labels, m[2]) {
			t.Errorf("variable %s reads label %q of %q, which no program exports with it", v.Name, m[2], m[1])
		}
	}
}
