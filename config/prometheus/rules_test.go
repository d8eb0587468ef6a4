// Package prometheus tests the monitoring bundle: the PrometheusRule's
// rules load in Prometheus' own rule parser, and every expression of the
// rules and of the Grafana dashboard names only metrics and labels the
// programs export (internal/metricinventory). It is a package of its own
// because Prometheus' parser is heavy to compile (decision 029).
package prometheus

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"sigs.k8s.io/yaml"

	"github.com/kubechat/whatsapp-operator/internal/metricinventory"
)

// targetLabels are the labels Prometheus adds when it scrapes each
// program through the bundle's ServiceMonitor and PodMonitors
// (monitor.yaml, podmonitors.yaml), besides those the code exports.
var targetLabels = map[string][]string{
	metricinventory.Operator:      {"job", "instance", "namespace", "pod", "container", "endpoint", "service"},
	metricinventory.WebhookServer: {"job", "instance", "namespace", "pod", "container", "endpoint", "provider"},
	metricinventory.Relay:         {"job", "instance", "namespace", "pod", "container", "endpoint", "provider"},
}

// series is a name a query can select and the labels it carries.
type series struct {
	labels []string
}

// selectable lists every series name a query may select: each metric,
// and a histogram's _bucket (with le), _sum and _count.
func selectable(t *testing.T) map[string]series {
	t.Helper()
	all, err := metricinventory.All()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]series{}
	for _, m := range all {
		ls := slices.Clone(m.Labels)
		for _, p := range m.Programs {
			ls = append(ls, targetLabels[p]...)
		}
		sort.Strings(ls)
		ls = slices.Compact(ls)
		if m.Type == "histogram" {
			out[m.Name+"_bucket"] = series{labels: append(slices.Clone(ls), "le")}
			out[m.Name+"_sum"] = series{labels: ls}
			out[m.Name+"_count"] = series{labels: ls}
			continue
		}
		out[m.Name] = series{labels: ls}
	}
	return out
}

// checkExpr parses expr with Prometheus' parser and checks that each
// selector names a known series and only its labels, and that each
// aggregation groups by labels its input has.
func checkExpr(where, expr string, known map[string]series) []string {
	var problems []string
	errorf := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		return []string{fmt.Sprintf("%s: %v\n%s", where, err, expr)}
	}
	selectors := 0
	parser.Inspect(e, func(node parser.Node, _ []parser.Node) error {
		switch n := node.(type) {
		case *parser.VectorSelector:
			selectors++
			name := n.Name
			for _, m := range n.LabelMatchers {
				if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
					name = m.Value
				}
			}
			s, ok := known[name]
			if !ok {
				errorf("%s: %q is not a metric any program exports", where, name)
				return nil
			}
			for _, m := range n.LabelMatchers {
				if m.Name != labels.MetricName && !slices.Contains(s.labels, m.Name) {
					errorf("%s: %s has no label %q (it has %v)", where, name, m.Name, s.labels)
				}
			}
		case *parser.AggregateExpr:
			if n.Without {
				return nil
			}
			var available []string
			parser.Inspect(n.Expr, func(inner parser.Node, _ []parser.Node) error {
				if vs, ok := inner.(*parser.VectorSelector); ok {
					available = append(available, known[vs.Name].labels...)
				}
				return nil
			})
			for _, g := range n.Grouping {
				if !slices.Contains(available, g) {
					errorf("%s: groups by %q, which its input does not carry", where, g)
				}
			}
		}
		return nil
	})
	if selectors == 0 {
		errorf("%s: selects no metric: %s", where, expr)
	}
	return problems
}

// reportExpr fails t with checkExpr's problems.
func reportExpr(t *testing.T, where, expr string, known map[string]series) {
	t.Helper()
	for _, p := range checkExpr(where, expr, known) {
		t.Error(p)
	}
}

// ruleGroups reads the groups of the bundle's PrometheusRule, as the
// rule file prometheus-operator writes for Prometheus.
func ruleGroups(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile("prometheus-rule.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var obj struct {
		Kind string         `json:"kind"`
		Spec map[string]any `json:"spec"`
	}
	if err := yaml.Unmarshal(raw, &obj); err != nil {
		t.Fatal(err)
	}
	if obj.Kind != "PrometheusRule" {
		t.Fatalf("prometheus-rule.yaml holds a %s", obj.Kind)
	}
	groups, err := yaml.Marshal(obj.Spec)
	if err != nil {
		t.Fatal(err)
	}
	return groups
}

func TestRulesLoadAndNameOnlyExportedMetrics(t *testing.T) {
	groups, errs := rulefmt.Parse(ruleGroups(t), false, model.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, err := range errs {
		t.Errorf("Prometheus refuses the rules: %v", err)
	}
	if groups == nil {
		t.FailNow()
	}
	known := selectable(t)
	var alerts []string
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			alerts = append(alerts, r.Alert)
			reportExpr(t, "alert "+r.Alert, r.Expr, known)
			if r.Labels["severity"] == "" || r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("alert %s lacks a severity, a summary or a description", r.Alert)
			}
		}
	}
	// docs/metrics.md lists the same alerts.
	docs, err := os.ReadFile("../../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := regexp.MustCompile("(?m)^  \\| `(WhatsApp[A-Za-z0-9]+)` \\|").FindAllStringSubmatch(string(docs), -1)
	var names []string
	for _, m := range documented {
		names = append(names, m[1])
	}
	sort.Strings(names)
	sort.Strings(alerts)
	if !slices.Equal(names, alerts) {
		t.Errorf("docs/metrics.md lists alerts %v; the PrometheusRule has %v", names, alerts)
	}
	// The list, by what each alert watches.
	for _, want := range []string{
		"whatsapp_provider_token_expiration_timestamp_seconds", "whatsapp_object_stalled",
		"whatsapp_phone_number_quality", "whatsapp_phone_number_messaging_limit",
		"whatsapp_webhook_requests_total", "whatsapp_webhook_forward_failures_total",
		"whatsapp_graph_rate_limit_hits_total", "whatsapp_relay_fallbacks_total",
	} {
		found := false
		for _, g := range groups.Groups {
			for _, r := range g.Rules {
				found = found || strings.Contains(r.Expr, want)
			}
		}
		if !found {
			t.Errorf("no alert watches %s", want)
		}
	}
}

// TestRuleCheckCatchesMistakes: the checks above fail on the mistakes
// they exist for.
func TestRuleCheckCatchesMistakes(t *testing.T) {
	known := selectable(t)
	for expr, why := range map[string]string{
		`whatsapp_graph_usage_percent > 0.75`:                              "a metric that was renamed",
		`whatsapp_object_stalled{channel="x"} == 1`:                        "a label the metric does not have",
		`sum by (rating) (rate(whatsapp_webhook_requests_total[5m]))`:      "grouping by a label the input lacks",
		`sum(rate(whatsapp_webhook_requests_total[5m]) / `:                 "a query Prometheus cannot parse",
		`histogram_quantile(0.9, rate(whatsapp_relay_senders_bucket[5m]))`: "a _bucket of a gauge",
	} {
		if len(checkExpr("probe", expr, known)) == 0 {
			t.Errorf("checkExpr accepts %s (%s)", expr, why)
		}
	}
}
