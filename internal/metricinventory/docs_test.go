package metricinventory

import (
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// documented is a metric as a table row of docs/metrics.md gives it.
type documented struct {
	typ    string
	labels []string
}

var (
	backticked  = regexp.MustCompile("`([^`]+)`")
	parentheses = regexp.MustCompile(`\([^()]*\)`)
)

// readMetricTables reads every table of page whose first column is
// "metric": the metric's name, its type and the label names (backticked
// words of the labels column outside parentheses, which hold values).
func readMetricTables(t *testing.T, page string) map[string]documented {
	t.Helper()
	raw, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]documented{}
	inTable := false
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(line, "|") {
			inTable = false
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if cells[0] == "metric" {
			inTable = true
			continue
		}
		if !inTable || strings.HasPrefix(cells[0], "---") {
			continue
		}
		if len(cells) < 3 {
			t.Fatalf("%s: a metric row needs metric, type and labels: %s", page, line)
		}
		name := strings.Trim(cells[0], "`")
		if _, dup := out[name]; dup {
			t.Errorf("%s documents %s twice", page, name)
		}
		labelCell := cells[2]
		for parentheses.MatchString(labelCell) {
			labelCell = parentheses.ReplaceAllString(labelCell, "")
		}
		var labels []string
		for _, m := range backticked.FindAllStringSubmatch(labelCell, -1) {
			labels = append(labels, m[1])
		}
		sort.Strings(labels)
		out[name] = documented{typ: cells[1], labels: labels}
	}
	return out
}

// TestMetricsPageMatchesTheCode holds docs/metrics.md to the programs'
// registries: every metric exported is documented, every documented one
// is exported, with the type and label names the code gives it.
func TestMetricsPageMatchesTheCode(t *testing.T) {
	const page = "../../docs/metrics.md"
	docs := readMetricTables(t, page)
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	exported := map[string]bool{}
	for _, m := range all {
		exported[m.Name] = true
		d, ok := docs[m.Name]
		if !ok {
			t.Errorf("%s (%s, served by %s) is not in %s", m.Name, m.Type, strings.Join(m.Programs, ", "), page)
			continue
		}
		if d.typ != m.Type {
			t.Errorf("%s: the page says %s, the code serves a %s", m.Name, d.typ, m.Type)
		}
		if !slices.Equal(d.labels, m.Labels) {
			t.Errorf("%s: the page lists labels %v, the code has %v", m.Name, d.labels, m.Labels)
		}
	}
	for name := range docs {
		if !exported[name] {
			t.Errorf("%s documents %s, which no program exports", page, name)
		}
	}
	if len(docs) < 30 {
		t.Errorf("read %d metrics from %s: the table reader lost some", len(docs), page)
	}
}
